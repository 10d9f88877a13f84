# docutils turning a 300-section reStructuredText document into HTML.
from docutils.core import publish_string

section = """Section {i}
{rule}

Some *emphasis*, **strong** text and ``code``.

- item one
- item two

  - nested

+-----+-----+
| a   | b   |
+=====+=====+
| 1   | 2   |
+-----+-----+

.. note:: A note {i}.

"""
text = "".join(section.format(i=i, rule="=" * (8 + len(str(i)))) for i in range(300))
print(len(publish_string(text, writer_name="html")))
