"""Writers turn layout boxes into text: markdown (and text), and the serializing syntaxes."""
