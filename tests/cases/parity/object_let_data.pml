<poml>
  <let name="person">{"name": "Kim", "langs": ["en", "ko"]}</let>
  <obj data="{{ person }}" syntax="json"/>
</poml>
