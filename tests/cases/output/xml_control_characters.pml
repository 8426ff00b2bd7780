<poml syntax="xml">
  <p name="note">{{ v }}</p>
  <object name="data" data="{{ d }}"/>
</poml>
