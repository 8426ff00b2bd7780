<poml>
  <cp caption="Example" tokenLimit="20">
    <p>Run this command to install the package and its dependencies.</p>
    <code inline="false" lang="sh">pip install --upgrade some-package another-package a-third-package</code>
  </cp>
</poml>
