<poml>
  <img src="{{ name }}" syntax="multimedia"/>
</poml>
