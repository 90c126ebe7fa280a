namespace DiSRouter.Core.Tasks.Knowledge;

/// <summary>
/// One fact of the invented world. <see cref="Rank"/> 1 is the most frequent; <see cref="Tier"/> 1–5 is the rank's
/// quintile and serves as the difficulty of questions about it; <see cref="Repeats"/> is how often one pass of
/// the corpus states it.
/// </summary>
public sealed record Fact(Relation Relation, string Subject, string Object, int Rank, int Tier, int Repeats)
{
    /// <summary>"the capital of Vornia is Telsk" (no period: it is also the reference reasoning).</summary>
    public string Statement => Relation.Fill(Relation.Statement, Subject, Object);

    /// <summary>"Telsk is the capital of Vornia", or null for a relation whose objects are shared.</summary>
    public string? InverseStatement =>
        Relation.InverseStatement is { } t ? Relation.Fill(t, Subject, Object) : null;

    /// <summary>Identifies the fact; the split of every question about it is decided by this.</summary>
    public string Key => "fact:" + Relation.Name + ":" + Subject;
}
