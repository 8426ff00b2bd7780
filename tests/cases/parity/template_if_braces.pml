<poml>
  <p if="{{ count > 2 }}">Many.</p>
  <p if="{{ count > 5 }}">Lots.</p>
</poml>
