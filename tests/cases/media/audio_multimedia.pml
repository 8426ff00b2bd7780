<poml>
  <p>Transcribe this.</p>
  <audio src="beep.mp3" syntax="multimedia"/>
</poml>