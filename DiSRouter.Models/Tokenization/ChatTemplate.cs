using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DiSRouter.Models.Tokenization;

/// <summary>
/// A Hugging Face model's chat layout. The Jinja template itself is not run: the one layout recognised is ChatML
/// (Qwen2 and Qwen2.5), <c>&lt;|im_start|&gt;role\n{content}&lt;|im_end|&gt;\n</c> per message, the prompt ending
/// with <c>&lt;|im_start|&gt;assistant\n</c>; a template that does not use those markers is refused by name. The
/// template's default system prompt (Qwen2.5's "You are Qwen, …") applies when the caller gives none.
/// </summary>
public sealed partial class ChatTemplate
{
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";

    private ChatTemplate(string? defaultSystem) => DefaultSystem = defaultSystem;

    /// <summary>System prompt the template inserts when the conversation has none; null if it inserts none.</summary>
    public string? DefaultSystem { get; }

    /// <summary>ChatML built from its template text; throws <see cref="InvalidDataException"/> for another layout.</summary>
    public static ChatTemplate Parse(string template, string source)
    {
        if (!template.Contains(ImStart, StringComparison.Ordinal) || !template.Contains(ImEnd, StringComparison.Ordinal))
            throw new InvalidDataException($"Chat template in '{source}': only the ChatML layout ({ImStart} … {ImEnd}) is supported.");
        var m = DefaultSystemPattern().Match(template);
        return new ChatTemplate(m.Success ? Regex.Unescape(m.Groups[1].Value) : null);
    }

    /// <summary>The template of a model folder: chat_template.jinja, else tokenizer_config.json's "chat_template"; null if neither.</summary>
    public static ChatTemplate? Find(string folder, JsonObject? tokenizerConfig)
    {
        var jinja = Path.Combine(folder, "chat_template.jinja");
        if (File.Exists(jinja)) return Parse(File.ReadAllText(jinja), jinja);
        return tokenizerConfig?["chat_template"] is JsonValue v && v.TryGetValue(out string? text)
            ? Parse(text, Path.Combine(folder, "tokenizer_config.json"))
            : null;
    }

    /// <summary>The prompt up to and including <c>&lt;|im_start|&gt;assistant\n</c>.</summary>
    public int[] EncodePrompt(ITokenizer tokenizer, string? system, string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        int start = Special(tokenizer, ImStart), end = Special(tokenizer, ImEnd);
        var newline = tokenizer.Encode("\n");
        var ids = new List<int>();
        void Message(string role, string content)
        {
            ids.Add(start);
            ids.AddRange(tokenizer.Encode(role + "\n" + content));
            ids.Add(end);
            ids.AddRange(newline);
        }
        if ((system ?? DefaultSystem) is { } s) Message("system", s);
        Message("user", user);
        ids.Add(start);
        ids.AddRange(tokenizer.Encode("assistant\n"));
        return [.. ids];
    }

    private static int Special(ITokenizer tokenizer, string name) =>
        tokenizer.TryGetSpecial(name, out int id) ? id : throw new ArgumentException($"The tokenizer has no {name} token, which the chat template needs.");

    // Qwen2.5: {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
    [GeneratedRegex(@"'<\|im_start\|>system\\n([^'{}]*)<\|im_end\|>\\n'")]
    private static partial Regex DefaultSystemPattern();
}
