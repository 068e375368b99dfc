"""Learned generators (IPOT, SSMP): metrics, datasets of movie-trailer pairs, models, training.

torch is imported only inside the modules that build or run models (``ipot_model``,
``ssmp_model``, ``train``), so ``metrics``, ``dataset`` and ``planted`` work without it.
"""
