<poml>
  <task captionStyle="hidden">Just do it.</task>
</poml>
