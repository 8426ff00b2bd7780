<poml>
  Loose text directly under the root.
</poml>
