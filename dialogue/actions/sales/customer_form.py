"""The customer-name form: the answer to "which customer?", asked by lookup, industry or recommendations."""

from __future__ import annotations

from dialogue.actions.base import Action, Reply, TurnContext
from dialogue.actions.common import answer_of, cancel_reply, close_form, is_bare_answer
from dialogue.actions.sales.customer_industry import describes_company, industry_of_customer, industry_of_text
from dialogue.actions.sales.customer_lookup import profile_reply
from dialogue.actions.sales.customers import CUSTOMER_FOR, find_customer_in
from dialogue.actions.sales.industries import IndustryClassifier
from dialogue.actions.sales.recommend_products import recommendations_for
from dialogue.actions.sales.recommender import Recommender
from dialogue.language import keep_form_language
from nlu.names import word_count

SHORT_ANSWER_WORDS = 4


def make_customer_form(classifier: IndustryClassifier, recommender: Recommender) -> Action:
    async def customer_form(ctx: TurnContext) -> list[Reply]:
        if not ctx.sales_allowed:
            return []
        intent = str(ctx.session.slots.get(CUSTOMER_FOR) or "customer_lookup")
        if answer_of(ctx) == "cancel":
            keep_form_language(ctx.message, ctx.session)
            close_form(ctx, CUSTOMER_FOR)
            return cancel_reply(ctx)
        whole_text = is_bare_answer(ctx, max_extra_words=SHORT_ANSWER_WORDS)
        describes = describes_company(ctx.message.text)
        customer, guess = await find_customer_in(ctx, whole_text=whole_text and not describes)
        if customer is None and describes:
            if intent != "customer_industry":
                return []  # a description is no customer's name: the manager handles it
            close_form(ctx, CUSTOMER_FOR)
            return [await industry_of_text(ctx, classifier, ctx.message.text)]
        if customer is None:
            short = word_count(ctx.message.text) <= SHORT_ANSWER_WORDS
            if not (short and guess and ctx.nlu.intent in (intent, "out_of_scope")):
                return []  # not an answer: the manager handles it, the form stays resumable
            close_form(ctx, CUSTOMER_FOR)
            return [Reply("customer_not_found", {"customer_name": guess}, action=intent)]
        close_form(ctx, CUSTOMER_FOR)
        if intent == "customer_industry":
            return [await industry_of_customer(ctx, classifier, customer)]
        if intent == "recommend_products":
            return [await recommendations_for(ctx, recommender, customer)]
        return [await profile_reply(ctx, customer)]

    return customer_form
