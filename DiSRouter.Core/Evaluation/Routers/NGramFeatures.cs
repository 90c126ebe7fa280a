using DiSRouter.Core.Tasks;

namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>
/// Bag of n-grams, hashed: lower-cased word unigrams and bigrams and character trigrams, each counted as log(1 + n),
/// the vector scaled to unit length (so a dot product is a cosine). The text classifier of RouteLLM's kind, the matrix
/// factorisation router and the kNN router all read queries through it. Hashing with <see cref="StableHash"/> keeps
/// the features the same from run to run.
/// </summary>
public sealed class NGramFeatures(int dimensions = 1 << 14)
{
    public int Dimensions { get; } = dimensions > 0 ? dimensions : throw new ArgumentOutOfRangeException(nameof(dimensions));

    public SparseVector Of(string text)
    {
        var counts = new Dictionary<int, int>();
        void Add(string gram) { int h = (int)(StableHash.Of(gram) % (ulong)Dimensions); counts[h] = counts.GetValueOrDefault(h) + 1; }
        var lower = text.ToLowerInvariant();
        var words = lower.Split((char[])[' ', '\n', '\t', ',', '.', '?', '!', ':', ';', '(', ')'], StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < words.Length; i++)
        {
            Add("w:" + words[i]);
            if (i > 0) Add("b:" + words[i - 1] + " " + words[i]);
        }
        for (int i = 0; i + 3 <= lower.Length; i++) Add("c:" + lower.Substring(i, 3));
        var index = counts.Keys.Order().ToArray();
        var value = index.Select(i => Math.Log(1 + counts[i])).ToArray();
        double norm = Math.Sqrt(value.Sum(v => v * v));
        if (norm > 0) for (int j = 0; j < value.Length; j++) value[j] /= norm;
        return new SparseVector(index, value);
    }
}
