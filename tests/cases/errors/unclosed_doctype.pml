<poml>
  <p>text</p>
</poml>
<!DOCTYPE poml
