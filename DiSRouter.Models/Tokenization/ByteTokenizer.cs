using System.Collections.Frozen;
using System.Text;

namespace DiSRouter.Models.Tokenization;

/// <summary>
/// One token per UTF-8 byte (ids 0–255) plus special tokens above them: 256 &lt;|pad|&gt;, 257 &lt;|bos|&gt;,
/// 258 &lt;|eos|&gt;, 259 &lt;|system|&gt;, 260 &lt;|user|&gt;, 261 &lt;|assistant|&gt;; 262–263 are reserved and
/// decode to nothing. VocabSize 264 keeps the embedding a multiple of 8 rows.
/// </summary>
public sealed class ByteTokenizer : ITokenizer
{
    /// <summary>The layout every nano-world model is trained with.</summary>
    public static ByteTokenizer Default { get; } = new(264, new Dictionary<string, int>
    {
        [SpecialTokens.Pad] = 256, [SpecialTokens.Bos] = 257, [SpecialTokens.Eos] = 258,
        [SpecialTokens.System] = 259, [SpecialTokens.User] = 260, [SpecialTokens.Assistant] = 261,
    });

    private readonly FrozenDictionary<string, int> _special;
    private readonly string?[] _nameOfId; // index id - 256; null for reserved ids

    /// <summary>
    /// A byte tokenizer with its own special ids (all ≥ 256 and below <paramref name="vocabSize"/>); it must name
    /// at least &lt;|pad|&gt;, &lt;|bos|&gt; and &lt;|eos|&gt;. Used when reading a tokenizer.json.
    /// </summary>
    public ByteTokenizer(int vocabSize, IReadOnlyDictionary<string, int> specialTokens)
    {
        if (vocabSize < 256) throw new ArgumentException($"A byte tokenizer needs vocab_size ≥ 256, got {vocabSize}.");
        _nameOfId = new string?[vocabSize - 256];
        foreach (var (name, id) in specialTokens)
        {
            if (id < 256 || id >= vocabSize)
                throw new ArgumentException($"Special token {name} has id {id}, outside [256, {vocabSize}).");
            if (_nameOfId[id - 256] is { } other)
                throw new ArgumentException($"Special tokens {other} and {name} share id {id}.");
            _nameOfId[id - 256] = name;
        }
        _special = specialTokens.ToFrozenDictionary(StringComparer.Ordinal);
        VocabSize = vocabSize;
        BosId = Required(SpecialTokens.Bos);
        EosId = Required(SpecialTokens.Eos);
        PadId = Required(SpecialTokens.Pad);
    }

    public int VocabSize { get; }
    public int BosId { get; }
    public int EosId { get; }
    public int PadId { get; }

    /// <summary>Special tokens by name, as written to tokenizer.json.</summary>
    public IReadOnlyDictionary<string, int> Specials => _special;

    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int n = Encoding.UTF8.GetByteCount(text);
        Span<byte> bytes = n <= 1024 ? stackalloc byte[n] : new byte[n];
        Encoding.UTF8.GetBytes(text, bytes);
        var ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = bytes[i];
        return ids;
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder(ids.Length);
        var run = new byte[Math.Min(ids.Length, 4096)];
        int n = 0;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {id} is outside [0, {VocabSize}).");
            if (id < 256)
            {
                if (n == run.Length) Array.Resize(ref run, run.Length * 2);
                run[n++] = (byte)id;
                continue;
            }
            // A special token ends a byte run: flush it (Encoding.UTF8 replaces invalid sequences with U+FFFD).
            if (n > 0) { sb.Append(Encoding.UTF8.GetString(run, 0, n)); n = 0; }
            sb.Append(_nameOfId[id - 256]);
        }
        if (n > 0) sb.Append(Encoding.UTF8.GetString(run, 0, n));
        return sb.ToString();
    }

    public bool TryGetSpecial(string name, out int id) => _special.TryGetValue(name, out id);

    private int Required(string name) =>
        _special.TryGetValue(name, out int id) ? id : throw new ArgumentException($"A byte tokenizer needs the special token {name}.");
}
