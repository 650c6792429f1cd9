"""The search index: one row per indexed object, plus document frequencies for similarity.

The full-text index itself lives beside these tables and is created by migration 0002:
- SQLite: the FTS5 table `search_fts` (external content = search_searchdocument), kept in sync
  by triggers on search_searchdocument;
- PostgreSQL: the generated tsvector column `search_searchdocument.search_vector` ('simple'
  configuration over the pre-segmented tokens, title weighted A, body B) with a GIN index.
Neither is known to the ORM. A later migration that makes Django rebuild this table on SQLite
(most ALTERs do) drops the triggers: re-create them there (see 0002) and run `reindex_search`.
"""

from django.db import models

from zhengxie.core.models import Organisation


class SearchDocument(models.Model):
    kind = models.CharField("类型", max_length=32)
    object_id = models.BigIntegerField("对象ID")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name="所属政协", db_index=False
    )
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    title = models.TextField("标题")
    title_tokens = models.TextField("标题分词", blank=True)
    body_tokens = models.TextField("正文分词", blank=True)
    updated_at = models.DateTimeField("索引时间", auto_now=True)

    class Meta:
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique_object"),
        ]
        indexes = [models.Index(fields=["kind", "organisation"], name="search_doc_kind_org")]

    def __str__(self):
        return f"{self.kind}#{self.object_id} {self.title}"


class SearchTerm(models.Model):
    """How many documents of a kind hold a token (the empty term counts the documents themselves): the
    sum of the term's rows. Writers only insert delta rows (+1/-1), so they never wait on each other;
    `search.compact_terms` folds them back into one row per term every hour. Kept exact by
    index_document/remove_document; similar() derives IDF weights from it.
    """

    kind = models.CharField("类型", max_length=32)
    term = models.CharField("词", max_length=40, blank=True)
    df = models.IntegerField("文档数", default=0)

    class Meta:
        verbose_name = "检索词频"
        verbose_name_plural = "检索词频"
        indexes = [models.Index(fields=["kind", "term", "df"], name="search_term_kind_term")]

    def __str__(self):
        return f"{self.kind}:{self.term}={self.df}"
