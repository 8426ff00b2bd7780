<!-- SYNTAX TEST "source.pml" "{{ }} expressions in text and in attribute values"
    Hello {{ user.name | upper }}, {{ items | join(", ") }}!
<!--^^^^^^ source.pml - meta.embedded.expression.pml
<!--      ^^ meta.embedded.expression.pml punctuation.section.embedded.begin.pml
<!--         ^^^^ meta.embedded.expression.pml variable.other.pml
<!--             ^ meta.embedded.expression.pml punctuation.accessor.pml
<!--              ^^^^ meta.embedded.expression.pml variable.other.property.pml
<!--                   ^ meta.embedded.expression.pml keyword.operator.filter.pml
<!--                     ^^^^^ meta.embedded.expression.pml support.function.filter.pml
<!--                           ^^ meta.embedded.expression.pml punctuation.section.embedded.end.pml
<!--                                  ^^^^^ meta.embedded.expression.pml variable.other.pml
<!--                                          ^^^^ meta.embedded.expression.pml support.function.filter.pml
<!--                                               ^^^^ meta.embedded.expression.pml string.quoted.double.pml
<!--                                                     ^^ meta.embedded.expression.pml punctuation.section.embedded.end.pml
<!--                                                       ^ source.pml - meta.embedded.expression.pml
    {{ "}}" ~ 'it''s' }} {{ price * 1.2 }} {{ n >= 10 and not done }}
<!--   ^^^^ meta.embedded.expression.pml string.quoted.double.pml
<!--        ^ meta.embedded.expression.pml keyword.operator.arithmetic.pml
<!--          ^^^^ meta.embedded.expression.pml string.quoted.single.pml
<!--                  ^^ meta.embedded.expression.pml punctuation.section.embedded.end.pml
<!--                              ^ meta.embedded.expression.pml keyword.operator.arithmetic.pml
<!--                                ^^^ meta.embedded.expression.pml constant.numeric.pml
<!--                                            ^^ meta.embedded.expression.pml keyword.operator.comparison.pml
<!--                                               ^^ meta.embedded.expression.pml constant.numeric.pml
<!--                                                  ^^^ meta.embedded.expression.pml keyword.operator.logical.pml
<!--                                                      ^^^ meta.embedded.expression.pml keyword.operator.logical.pml
<!--                                                          ^^^^ meta.embedded.expression.pml variable.other.pml
    {{ a if ok else none }} {{ c ? x : null }} {{ a === b && !c || d }}
<!--     ^^ meta.embedded.expression.pml keyword.control.conditional.pml
<!--           ^^^^ meta.embedded.expression.pml keyword.control.conditional.pml
<!--                ^^^^ meta.embedded.expression.pml constant.language.pml
<!--                             ^ meta.embedded.expression.pml keyword.operator.ternary.pml
<!--                                   ^^^^ meta.embedded.expression.pml constant.language.pml
<!--                                                ^^^ meta.embedded.expression.pml keyword.operator.comparison.pml
<!--                                                      ^^ meta.embedded.expression.pml keyword.operator.logical.pml
<!--                                                         ^ meta.embedded.expression.pml keyword.operator.logical.pml
<!--                                                            ^^ meta.embedded.expression.pml keyword.operator.logical.pml - keyword.operator.filter.pml
    {{ xs.map(x => x.length).join(', ') }} {{ JSON.stringify(loop.index) }}
<!--      ^^^ meta.embedded.expression.pml entity.name.function.pml
<!--            ^^ meta.embedded.expression.pml storage.type.function.arrow.pml
<!--                 ^^^^^^ meta.embedded.expression.pml variable.other.property.pml
<!--                         ^^^^ meta.embedded.expression.pml entity.name.function.pml
<!--                              ^^^^ meta.embedded.expression.pml string.quoted.single.pml
<!--                                          ^^^^ meta.embedded.expression.pml support.class.pml
<!--                                               ^^^^^^^^^ meta.embedded.expression.pml entity.name.function.pml
<!--                                                         ^^^^ meta.embedded.expression.pml variable.language.pml
    <p title="{{ 'a' | default(name) }} and {{ count }}" alt='{{ xs | join(", ") }}'>x</p>
<!--   ^^^^^ meta.tag.pml entity.other.attribute-name.pml
<!--          ^^ string.quoted.double.pml meta.embedded.expression.pml punctuation.section.embedded.begin.pml
<!--             ^^^ string.quoted.double.pml meta.embedded.expression.pml string.quoted.single.pml
<!--                   ^^^^^^^ string.quoted.double.pml meta.embedded.expression.pml support.function.filter.pml
<!--                           ^^^^ string.quoted.double.pml meta.embedded.expression.pml variable.other.pml
<!--                                 ^^ string.quoted.double.pml meta.embedded.expression.pml punctuation.section.embedded.end.pml
<!--                                   ^^^^^ string.quoted.double.pml - meta.embedded.expression.pml
<!--                                           ^^^^^ string.quoted.double.pml meta.embedded.expression.pml variable.other.pml
<!--                                                          ^^ string.quoted.single.pml meta.embedded.expression.pml punctuation.section.embedded.begin.pml
<!--                                                             ^^ string.quoted.single.pml meta.embedded.expression.pml variable.other.pml
<!--                                                                       ^^^^ string.quoted.single.pml meta.embedded.expression.pml string.quoted.double.pml
<!--                                                                               ^^ meta.tag.pml
    <item for="rule in policy" if="loop.index > 0">{{ rule }}</item>
<!--      ^^^ meta.tag.pml entity.other.attribute-name.pml
<!--           ^^^^ string.quoted.double.pml meta.embedded.expression.pml variable.other.pml
<!--                ^^ string.quoted.double.pml meta.embedded.expression.pml keyword.operator.word.pml
<!--                   ^^^^^^ string.quoted.double.pml meta.embedded.expression.pml variable.other.pml
<!--                           ^^ meta.tag.pml entity.other.attribute-name.pml
<!--                               ^^^^ string.quoted.double.pml meta.embedded.expression.pml variable.language.pml
<!--                                          ^ string.quoted.double.pml meta.embedded.expression.pml keyword.operator.comparison.pml
<!--                                            ^ string.quoted.double.pml meta.embedded.expression.pml constant.numeric.pml
<!--                                             ^^ meta.tag.pml - meta.embedded.expression.pml
<!--                                                  ^^^^ meta.embedded.expression.pml variable.other.pml - meta.tag.pml
    {{
<!--^^ meta.embedded.expression.pml punctuation.section.embedded.begin.pml
      multi | trim
<!--  ^^^^^ meta.embedded.expression.pml variable.other.pml
<!--          ^^^^ meta.embedded.expression.pml support.function.filter.pml
    }} after
<!--^^ meta.embedded.expression.pml punctuation.section.embedded.end.pml
<!--   ^^^^^ source.pml - meta.embedded.expression.pml
    <!-- {{ not_an_expression }} -->
<!--     ^^^^^^^^^^^^^^^^^^^^^^^ comment.block.pml - meta.embedded.expression.pml
    a single { brace } stays text
<!--         ^^^^^^^^^ source.pml - meta.embedded.expression.pml
