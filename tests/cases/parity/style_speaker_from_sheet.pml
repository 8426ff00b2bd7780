<poml>
  <p>Question from the user.</p>
  <p className="reply">Answer from the model.</p>
</poml>
