"""Pydantic models of every input format: catalogue, policy and deal."""

from docgen.models.catalogue import Catalogue, Sku
from docgen.models.deal import CustomLine, Deal, SkuLine
from docgen.models.policy import Policy

__all__ = ["Catalogue", "CustomLine", "Deal", "Policy", "Sku", "SkuLine"]
