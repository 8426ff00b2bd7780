Free text that ends with a newline.
