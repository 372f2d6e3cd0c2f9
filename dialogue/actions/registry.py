"""The default action table: every intent of the default domain and every form."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path

from dialogue.actions import basic, complaints, inventory, orders
from dialogue.actions.base import ActionTable
from dialogue.actions.knowledge import make_faq_action
from dialogue.actions.payments import make_payment_status
from dialogue.actions.sales.ask import make_sales_ask
from dialogue.actions.sales.customer_form import make_customer_form
from dialogue.actions.sales.customer_industry import make_customer_industry
from dialogue.actions.sales.customer_lookup import make_customer_lookup
from dialogue.actions.sales.customers import CUSTOMER_FORM
from dialogue.actions.sales.demand_forecast import FORECAST_FORM, make_demand_forecast
from dialogue.actions.sales.industries import (
    IndustryClassifier,
    IndustryLabel,
    load_calibration,
    load_industries,
)
from dialogue.actions.sales.market_trends import market_trends, warm_trends
from dialogue.actions.sales.product_description import (
    PRODUCT_FORM,
    product_description,
    product_description_form,
)
from dialogue.actions.sales.recommend_products import make_recommend_products
from dialogue.actions.sales.recommender import Recommender
from dialogue.actions.sales.sales_summary import sales_summary
from dialogue.embedding import Embedder, HashingEmbedder, retrieval_view
from dialogue.faq import FaqEntry, KnowledgeBase, knowledge_base
from dialogue.handbook import load_faq
from dialogue.routing import KnowledgeRouting, KnowledgeThresholds

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def default_actions(
    *,
    embedder: Embedder | None,
    faq: Sequence[FaqEntry] | None = None,
    kb: KnowledgeBase | None = None,
    refresh_knowledge: Callable[[], Awaitable[object]] | None = None,
    industries: Sequence[IndustryLabel] | None = None,
    faq_threshold: float | None = None,
    knowledge: KnowledgeThresholds | None = None,
    max_invoices_listed: int = 5,
    recommendations: int = 5,
    reorder_lead_time_days: int = 14,
    data_dir: str | Path = DATA_DIR,
) -> ActionTable:
    """Wire every intent and form. Without an embedder, retrieval falls back to hashed n-gram vectors.

    FAQ, industries and product similarity compare texts across languages, so they use the embedder's
    retrieval view (the multilingual encoder of nlu's routed encoder). `kb` is a knowledge base built
    already (bot.ml: the synced handbook); else one is built on `faq`, by default the demo's handbook
    (dialogue/data/handbook). `refresh_knowledge` runs before each turn's knowledge routing (a new sync).
    `industries` defaults to industries.yml under `data_dir`. `knowledge` holds the routing
    thresholds (dialogue.routing); `faq_threshold`, when given, replaces its answer threshold.
    """
    if embedder is None:
        logger.warning("no sentence encoder given: FAQ, industry and recommendations use lexical vectors")
        embedder = HashingEmbedder()
    thresholds = knowledge or KnowledgeThresholds()
    if faq_threshold is not None:
        thresholds = replace(thresholds, answer=faq_threshold, offer=min(thresholds.offer, faq_threshold))
    if kb is None:
        entries = list(faq) if faq is not None else load_faq()
        kb = knowledge_base(entries, embedder, threshold=thresholds.answer)
    embedder = retrieval_view(embedder)
    labels = (
        list(industries) if industries is not None else load_industries(Path(data_dir) / "industries.yml")
    )
    classifier = IndustryClassifier(
        labels, embedder, calibration=load_calibration(Path(data_dir) / "industries_calibration.yml")
    )
    recommender = Recommender(embedder, top_k=recommendations)
    answer_faq = make_faq_action(kb)
    forecast, forecast_form = make_demand_forecast(lead_time_days=reorder_lead_time_days)
    intents = {
        "greeting": basic.greeting,
        "goodbye": basic.goodbye,
        "thanks": basic.thanks,
        "help": basic.help_,
        "out_of_scope": basic.out_of_scope,
        "link_account": basic.link_account,
        "human_handoff": basic.human_handoff,
        "order_status": orders.order_status,
        "payment_status": make_payment_status(max_listed=max_invoices_listed),
        "inventory_update": inventory.inventory_update,
        "inventory_query": inventory.inventory_query,
        "onboarding": answer_faq,
        "policy_question": answer_faq,
        "complaint": complaints.complaint,
        "customer_lookup": make_customer_lookup(classifier),
        "sales_summary": sales_summary,
        "customer_industry": make_customer_industry(classifier),
        "recommend_products": make_recommend_products(recommender),
        "product_description": product_description,
        "market_trends": market_trends,
        "demand_forecast": forecast,
        "sales_query": make_sales_ask(),
    }
    forms = {
        "offer_human": basic.offer_human_form,
        orders.FORM: orders.order_status_form,
        inventory.FORM: inventory.inventory_update_form,
        CUSTOMER_FORM: make_customer_form(classifier, recommender),
        PRODUCT_FORM: product_description_form,
        FORECAST_FORM: forecast_form,
    }
    return ActionTable(
        intents=intents,
        forms=forms,
        warm_ups=(kb.warm, classifier.temperature),
        data_warm_ups=(warm_trends, recommender.warm),
        knowledge=KnowledgeRouting(kb, thresholds, refresh=refresh_knowledge),
    )
