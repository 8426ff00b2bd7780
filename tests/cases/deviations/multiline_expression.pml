<poml><p>A {{ items
  .join(", ") }} B</p></poml>