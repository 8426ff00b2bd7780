<poml>
  <question questionCaption="Q" answerCaption="A">How many legs does a spider have?</question>
</poml>
