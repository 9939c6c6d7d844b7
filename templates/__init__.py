"""The built-in Word templates of the generated documents (docxtpl .docx files).

This folder is where they are edited (in Word, or rebuilt by ``scripts/build_templates.py``);
the wheel ships it as the package ``pipeline.builtin_templates`` (see ``pyproject.toml``), and
the program finds it through ``importlib.resources``. An office overrides a template by putting
a file of the same name into the folder ``[folders] templates`` of its unionforms.toml.
"""
