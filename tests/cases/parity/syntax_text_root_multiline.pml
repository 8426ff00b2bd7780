<poml syntax="text">Line one
  Line two</poml>
