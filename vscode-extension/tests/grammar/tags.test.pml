<!-- SYNTAX TEST "source.pml" "tags, closing tags, self-closing tags and attributes"
<poml>
<!-- <- meta.tag.pml punctuation.definition.tag.begin.pml
<!-- <~---- meta.tag.pml entity.name.tag.pml
<!-- <~~~~~- meta.tag.pml punctuation.definition.tag.end.pml
    <role caption-style="bold" name='intro'>You are a teacher.</role>
<!--^ meta.tag.pml punctuation.definition.tag.begin.pml
<!-- ^^^^ meta.tag.pml entity.name.tag.pml
<!--      ^^^^^^^^^^^^^ meta.tag.pml entity.other.attribute-name.pml
<!--                   ^ punctuation.separator.key-value.pml
<!--                    ^ string.quoted.double.pml punctuation.definition.string.begin.pml
<!--                     ^^^^ string.quoted.double.pml
<!--                         ^ string.quoted.double.pml punctuation.definition.string.end.pml
<!--                           ^^^^ entity.other.attribute-name.pml
<!--                                ^^^^^^^ string.quoted.single.pml
<!--                                       ^ punctuation.definition.tag.end.pml
<!--                                        ^^^^^^^^^^^^^^^^^^ source.pml - meta.tag.pml
<!--                                                          ^^ meta.tag.pml punctuation.definition.tag.begin.pml
<!--                                                            ^^^^ meta.tag.pml entity.name.tag.pml
<!--                                                                ^ meta.tag.pml punctuation.definition.tag.end.pml
    <img src="cat.png" alt="a cat"/>
<!-- ^^^ entity.name.tag.pml
<!--                              ^^ meta.tag.pml punctuation.definition.tag.end.pml
    <code inline>x</code >
<!--      ^^^^^^ entity.other.attribute-name.pml
<!--                ^^^^ entity.name.tag.pml
<!--                     ^ punctuation.definition.tag.end.pml
    <output-format captionStyle="plain" data-x:y_z.w="1">Text</output-format>
<!-- ^^^^^^^^^^^^^ entity.name.tag.pml
<!--               ^^^^^^^^^^^^ entity.other.attribute-name.pml
<!--                                    ^^^^^^^^^^^^ entity.other.attribute-name.pml
<!--                                                           ^^^^^^^^^^^^^ entity.name.tag.pml
    <list
      listStyle="decimal"
<!--  ^^^^^^^^^ meta.tag.pml entity.other.attribute-name.pml
<!--            ^^^^^^^^^ meta.tag.pml string.quoted.double.pml
    >
<!--^ meta.tag.pml punctuation.definition.tag.end.pml
    1 < 2 and a <= b, Tom & Jerry
<!--^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ source.pml - meta.tag.pml constant.character.entity.pml
    </list>
</poml>
<!-- <-- meta.tag.pml punctuation.definition.tag.begin.pml
<!-- <~~---- meta.tag.pml entity.name.tag.pml
<!-- <~~~~~~- meta.tag.pml punctuation.definition.tag.end.pml
