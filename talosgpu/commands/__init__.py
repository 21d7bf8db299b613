"""The use cases: one module per command, the only code that reads inputs, uses the render
cache, calls ``talosctl``, fans out over fleets and applies the redaction policy.

Everything below (intent, plan, renderers, talos, configdiff, lint, cdi, knowledge, k8s) is pure
and never imports from here; :mod:`talosgpu.cli` and :mod:`talosgpu.report` sit above. This
package's ``__init__`` stays empty: the CLI imports single modules on its cold-start path.
"""
