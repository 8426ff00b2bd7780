<poml>
  <p>{{a}}{{b}} {{ a }}-{{ b }}</p>
</poml>
