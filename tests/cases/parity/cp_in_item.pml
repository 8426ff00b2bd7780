<poml>
  <list>
    <item><cp caption="Pros" captionStyle="bold">Fast and cheap.</cp></item>
    <item><cp caption="Cons" captionStyle="bold">Hard to maintain.</cp></item>
  </list>
</poml>
