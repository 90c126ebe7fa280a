using System.Runtime.InteropServices;
using System.Security.Cryptography;
using DiSRouter.Models.Training;

namespace DiSRouter.Training.Pool;

/// <summary>
/// The pool's training examples in a fixed order, with their lengths (for length-grouped batches) and
/// a hash of every token and loss weight: two corpora with the same hash train the same models.
/// </summary>
internal sealed class PretrainCorpus
{
    private PretrainCorpus(IReadOnlyList<TrainingExample> examples, IReadOnlyDictionary<string, int> countsBySource, int dropped, string dataHash)
    {
        Examples = examples;
        Lengths = examples.Select(e => e.Tokens.Length).ToArray();
        CountsBySource = countsBySource;
        Dropped = dropped;
        DataHash = dataHash;
    }

    public IReadOnlyList<TrainingExample> Examples { get; }
    public IReadOnlyList<int> Lengths { get; }

    /// <summary>Examples per source ("facts" or a family name), for the log and the docs.</summary>
    public IReadOnlyDictionary<string, int> CountsBySource { get; }

    /// <summary>Examples left out because they exceed the context; reported, never silently truncated.</summary>
    public int Dropped { get; }

    public string DataHash { get; }

    public long TotalTokens => Lengths.Sum(l => (long)l);

    /// <summary>
    /// Keeps documents up to <paramref name="maxLength"/> tokens, counts the rest, and hashes
    /// <paramref name="generatorVersion"/> with every kept example so that a changed generator changes the hash.
    /// </summary>
    public static PretrainCorpus From(IEnumerable<CorpusDocument> documents, int maxLength, string generatorVersion)
    {
        var kept = new List<TrainingExample>();
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int dropped = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(generatorVersion + "\n"));
        foreach (var d in documents)
        {
            if (d.Tokens.Length > maxLength) { dropped++; continue; }
            kept.Add(new TrainingExample(d.Tokens, d.LossMask));
            counts[d.Source] = counts.GetValueOrDefault(d.Source) + 1;
            sha.AppendData(BitConverter.GetBytes(d.Tokens.Length));
            sha.AppendData(MemoryMarshal.AsBytes(d.Tokens.AsSpan()));
            if (d.LossMask is not null) sha.AppendData(MemoryMarshal.AsBytes(d.LossMask.AsSpan()));
        }
        return new PretrainCorpus(kept, counts, dropped, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}

/// <summary>One training sequence and where it came from; a null mask trains on every token (fact statements).</summary>
internal sealed record CorpusDocument(string Source, int[] Tokens, float[]? LossMask);
