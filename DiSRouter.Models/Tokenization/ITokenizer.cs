namespace DiSRouter.Models.Tokenization;

/// <summary>
/// Text ↔ token ids. Special tokens (bos, eos, pad, chat roles) are never produced by <see cref="Encode"/> from
/// text, so a user who types "&lt;|assistant|&gt;" cannot forge a role switch; prompts get them from <see cref="ChatFormat"/>.
/// </summary>
public interface ITokenizer
{
    /// <summary>Rows the model's embedding and head need; ids are in [0, VocabSize).</summary>
    int VocabSize { get; }

    int BosId { get; }
    int EosId { get; }
    int PadId { get; }

    /// <summary>Ids of plain text (no special tokens).</summary>
    int[] Encode(string text);

    /// <summary>
    /// Text of the ids; special tokens render as their names (e.g. "&lt;|eos|&gt;"). Never throws on a byte run
    /// that is not valid UTF-8 (it becomes U+FFFD), since a model can emit any sequence.
    /// </summary>
    string Decode(ReadOnlySpan<int> ids);

    /// <summary>The id of a special token by its name, e.g. "&lt;|user|&gt;".</summary>
    bool TryGetSpecial(string name, out int id);
}
