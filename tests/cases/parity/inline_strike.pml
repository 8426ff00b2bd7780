<poml>
  <p>Price: <s>$20</s> $15, <strike>old</strike> new.</p>
</poml>
