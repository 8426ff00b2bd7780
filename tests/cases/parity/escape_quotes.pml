<poml>
  <p>She said #quot;hi#quot; and it#apos;s fine.</p>
</poml>
