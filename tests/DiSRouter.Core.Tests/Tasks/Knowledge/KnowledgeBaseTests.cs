using DiSRouter.Core.Tasks.Knowledge;

namespace DiSRouter.Core.Tests.Tasks.Knowledge;

public sealed class KnowledgeBaseTests
{
    private readonly KnowledgeBase _sut = new(seed: 0);

    [Fact]
    public void WorldHasFiveFactsPerEntityWithRanksAndTiers()
    {
        Assert.Equal(200, _sut.Facts.Count);
        Assert.Equal(Enumerable.Range(1, 200), _sut.Facts.Select(f => f.Rank));
        for (var t = 1; t <= 5; t++)
        {
            Assert.Equal(40, _sut.FactsOfTier(t).Count);
            Assert.All(_sut.FactsOfTier(t), f => Assert.InRange(f.Rank, (t - 1) * 40 + 1, t * 40));
        }
        Assert.Equal(40, _sut.Facts.Count(f => f.Relation.Name == "capital"));
        Assert.Equal(40, _sut.Facts.Count(f => f.Relation.Name == "maker"));
    }

    [Fact]
    public void RepetitionsFallWithRankAndNeverVanish()
    {
        var repeats = _sut.Facts.Select(f => f.Repeats).ToList();
        Assert.Equal(400, repeats[0]);
        Assert.All(repeats.Zip(repeats.Skip(1)), pair => Assert.True(pair.First >= pair.Second));
        Assert.Equal(8, repeats[^1]); // round(400 · (16/215)^1.5)
        // Each tier is a distinct frequency band: the median repetition count falls tier by tier.
        var medians = Enumerable.Range(1, 5).Select(t => _sut.FactsOfTier(t).Select(f => f.Repeats).Order().ElementAt(20)).ToList();
        Assert.True(medians[0] > medians[1] && medians[1] > medians[2] && medians[2] > medians[3] && medians[3] >= medians[4], string.Join(",", medians));
        Assert.True(medians[0] >= 5 * medians[4], string.Join(",", medians));
    }

    [Fact]
    public void ZipfLawFollowsTheOptions()
    {
        var sut = new KnowledgeBase(0, new KnowledgeBaseOptions { EntitiesPerKind = 20, MaxRepeats = 60, Exponent = 1, Offset = 0 });
        Assert.Equal(100, sut.Facts.Count);
        Assert.Equal(60, sut.RepeatsAt(1));
        Assert.Equal(30, sut.RepeatsAt(2));
        Assert.Equal(20, sut.RepeatsAt(3));
        Assert.Equal(1, sut.RepeatsAt(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KnowledgeBase(0, new KnowledgeBaseOptions { EntitiesPerKind = 3 }));
    }

    [Fact]
    public void CorpusStatesEachFactAsOftenAsItsRank()
    {
        var corpus = _sut.Corpus(seed: 1);
        var counts = corpus.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        foreach (var f in _sut.Facts)
        {
            Assert.Equal(f.Repeats, counts[f.Statement + "."]);
            if (f.InverseStatement is { } inverse) Assert.Equal((f.Repeats + 1) / 2, counts[inverse + "."]);
        }
        Assert.Equal(corpus, _sut.Corpus(seed: 1));
        Assert.NotEqual(corpus, _sut.Corpus(seed: 2));
        var plain = new KnowledgeBase(0, new KnowledgeBaseOptions { InverseStatements = false }).Corpus();
        Assert.Equal(_sut.Facts.Sum(f => f.Repeats), plain.Count);
    }

    [Fact]
    public void NamesAreUniqueAndInvertibleObjectsBelongToOneSubject()
    {
        var subjects = _sut.Facts.GroupBy(f => f.Relation.SubjectKind).ToDictionary(g => g.Key, g => g.Select(f => f.Subject).Distinct().ToList());
        var allNames = subjects.Values.SelectMany(s => s)
            .Concat(_sut.Facts.Where(f => f.Relation.IsInvertible).Select(f => f.Object)).ToList();
        Assert.Equal(allNames.Count, allNames.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(allNames, n => Assert.InRange(n.Length, 4, 8));
        Assert.All(_sut.Facts.Where(f => f.Relation.Name == "color"), f => Assert.Contains(f.Object, KnowledgeBase.Colors));
    }

    [Fact]
    public void SameSeedBuildsTheSameWorld()
    {
        var other = new KnowledgeBase(seed: 0);
        Assert.Equal(_sut.Facts.Select(f => (f.Statement, f.Rank)), other.Facts.Select(f => (f.Statement, f.Rank)));
        Assert.Equal("the capital of Vornia is Telsk", Relation.Fill(Relation.All[0].Statement, "Vornia", "Telsk"));
        var first = _sut.Facts[0];
        Assert.Same(first, _sut.Find(first.Relation.Name, first.Subject));
        Assert.Null(_sut.Find("capital", "Nowhere"));
    }
}
