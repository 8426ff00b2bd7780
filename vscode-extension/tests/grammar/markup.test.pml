<!-- SYNTAX TEST "source.pml" "comments, entities, escapes, CDATA, prolog and <style>"
    <?xml version="1.0"?>
<!--^^ meta.tag.preprocessor.pml punctuation.definition.tag.begin.pml
<!--  ^^^ meta.tag.preprocessor.pml entity.name.tag.pml
<!--      ^^^^^^^ meta.tag.preprocessor.pml entity.other.attribute-name.pml
<!--              ^^^^^ meta.tag.preprocessor.pml string.quoted.double.pml
<!--                   ^^ meta.tag.preprocessor.pml punctuation.definition.tag.end.pml
    <!DOCTYPE poml>
<!--^^ meta.tag.sgml.doctype.pml punctuation.definition.tag.begin.pml
<!--  ^^^^^^^ meta.tag.sgml.doctype.pml keyword.other.doctype.pml
    <!-- a comment with <role> and &amp; -->
<!--^^^^ comment.block.pml punctuation.definition.comment.begin.pml
<!--    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.block.pml - meta.tag.pml constant.character.entity.pml
<!--                                     ^^^ comment.block.pml punctuation.definition.comment.end.pml
    <!-- a comment
<!--^^^^ comment.block.pml punctuation.definition.comment.begin.pml
    over <two> lines -->
<!--^^^^^^^^^^^^^^^^^ comment.block.pml - meta.tag.pml
<!--                 ^^^ comment.block.pml punctuation.definition.comment.end.pml
    Fish &amp; chips &lt;3 &#65; &#x41; &eacute; Tom & Jerry &nope
<!--     ^^^^^ constant.character.entity.pml
<!--     ^ constant.character.entity.pml punctuation.definition.entity.pml
<!--                 ^^^^ constant.character.entity.pml
<!--                       ^^^^^ constant.character.entity.pml
<!--                             ^^^^^^ constant.character.entity.pml
<!--                                    ^^^^^^^^ constant.character.entity.pml
<!--                                             ^^^^^^^^^^^^^^^^^ source.pml - constant.character.entity.pml
    <p title="a &quot;b&quot; &#x2014; #lbrace;x#rbrace;">#lt;tag#gt; #hash;1</p>
<!--            ^^^^^^ string.quoted.double.pml constant.character.entity.pml
<!--                          ^^^^^^^^ string.quoted.double.pml constant.character.entity.pml
<!--                                   ^^^^^^^^ string.quoted.double.pml constant.character.escape.pml
<!--                                                      ^^^^ constant.character.escape.pml - meta.tag.pml
<!--                                                                  ^^^^^^ constant.character.escape.pml
    <![CDATA[ <not-a-tag> {{ not_an_expression }} &amp; ]]>
<!--^^^^^^^^^ string.unquoted.cdata.pml punctuation.definition.string.begin.pml
<!--         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ string.unquoted.cdata.pml - meta.tag.pml meta.embedded.expression.pml constant.character.entity.pml
<!--                                                    ^^^ string.unquoted.cdata.pml punctuation.definition.string.end.pml
    <style>
<!-- ^^^^^ meta.tag.pml entity.name.tag.pml
      role, .terse > list { caption-style: bold !important; }
<!--  ^^^^ meta.embedded.block.pss source.pss entity.name.tag.pss
<!--        ^^^^^^ source.pss entity.other.attribute-name.class.pss
<!--                        ^^^^^^^^^^^^^ source.pss meta.property-list.pss support.type.property-name.pss
<!--                                            ^^^^^^^^^^ source.pss keyword.other.important.pss
    </style>
<!--^^ meta.tag.pml punctuation.definition.tag.begin.pml - source.pss
<!--  ^^^^^ meta.tag.pml entity.name.tag.pml - source.pss
    <style src="look.pss"/> <stylesheet>{"task": {"captionStyle": "bold"}}</stylesheet>
<!--       ^^^ meta.tag.pml entity.other.attribute-name.pml
<!--                     ^^ meta.tag.pml punctuation.definition.tag.end.pml
<!--                         ^^^^^^^^^^ meta.tag.pml entity.name.tag.pml - source.pss
<!--                                    ^^^^^^^ source.pml - meta.embedded.expression.pml source.pss
    after <b>bold</b>
<!--^^^^^ source.pml - source.pss
<!--               ^ meta.tag.pml entity.name.tag.pml
