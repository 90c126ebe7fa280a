using System.Globalization;
using System.Text;
using System.Text.Json;
using DiSRouter.Core.Tasks.Grading;

namespace DiSRouter.Core.Tasks;

/// <summary>
/// Items as JSON Lines, one object per line, so that a user's GSM8K / ARC / MMLU-shaped files go through the same
/// graders as the generated suite:
/// <c>{"question": "...", "choices": ["..", ".."], "answer": "B", "family": "arc", "id": "..", "difficulty": 3, "domain": "id", "reasoning": ".."}</c>.
/// <c>question</c> and <c>answer</c> are required. With <c>choices</c>, the answer may be a letter ("B", "(B)"),
/// an option's exact text, or a 0-based index (MMLU's convention); it is stored as a letter. A numeric answer may be
/// a JSON number. <c>family</c> defaults to the file's name without extension, <c>id</c> to "family-line",
/// <c>difficulty</c> to 0 (untagged), <c>domain</c> to "id". Unknown fields are ignored; blank lines are skipped.
/// </summary>
public static class TaskJsonl
{
    private static readonly JsonSerializerOptions WriteOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IReadOnlyList<TaskItem> Load(string path)
    {
        if (!File.Exists(path)) throw new TaskFileException(path, 0, "the file does not exist.");
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path, Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Reads items; <paramref name="source"/> names the input in errors.</summary>
    public static IReadOnlyList<TaskItem> Read(TextReader reader, string source, string defaultFamily = "jsonl")
    {
        var items = new List<TaskItem>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var item = ParseLine(line, source, lineNumber, defaultFamily);
            if (!ids.Add(item.Id)) throw new TaskFileException(source, lineNumber, $"duplicate id '{item.Id}'.");
            items.Add(item);
        }
        return items;
    }

    public static void Save(string path, IEnumerable<TaskItem> items)
    {
        // Write beside and rename so that a reader never sees half a file.
        var temp = path + ".tmp";
        using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)))
            Write(writer, items);
        File.Move(temp, path, overwrite: true);
    }

    public static void Write(TextWriter writer, IEnumerable<TaskItem> items)
    {
        foreach (var item in items)
        {
            var o = new Dictionary<string, object?>
            {
                ["id"] = item.Id,
                ["family"] = item.Family,
                ["domain"] = item.Domain,
                ["difficulty"] = item.Difficulty,
                ["question"] = item.Question,
            };
            if (item.Choices is not null) o["choices"] = item.Choices;
            o["answer"] = item.Answer;
            o["reasoning"] = item.Reasoning;
            writer.Write(JsonSerializer.Serialize(o, WriteOptions));
            writer.Write('\n');
        }
    }

    private static TaskItem ParseLine(string line, string source, int n, string defaultFamily)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new TaskFileException(source, n, $"not valid JSON ({e.Message}).");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new TaskFileException(source, n, "each line must be a JSON object.");

            var question = RequiredString(root, "question", source, n);
            var family = OptionalString(root, "family", source, n) ?? defaultFamily;
            if (family.Trim().Length == 0) throw new TaskFileException(source, n, "'family' is empty.");
            var id = OptionalString(root, "id", source, n) ?? $"{family}-{n.ToString(CultureInfo.InvariantCulture)}";
            var domain = OptionalString(root, "domain", source, n) ?? TaskDomain.InDomain;
            if (!TaskDomain.IsValid(domain)) throw new TaskFileException(source, n, $"'domain' must be \"id\" or \"ood\", not \"{domain}\".");
            var reasoning = OptionalString(root, "reasoning", source, n) ?? "";

            var difficulty = 0;
            if (root.TryGetProperty("difficulty", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out difficulty) || difficulty < 0)
                    throw new TaskFileException(source, n, "'difficulty' must be a non-negative integer.");
            }

            List<string>? choices = null;
            if (root.TryGetProperty("choices", out var c) && c.ValueKind != JsonValueKind.Null)
            {
                if (c.ValueKind != JsonValueKind.Array) throw new TaskFileException(source, n, "'choices' must be an array of strings.");
                choices = [];
                foreach (var e in c.EnumerateArray())
                {
                    if (e.ValueKind != JsonValueKind.String) throw new TaskFileException(source, n, "'choices' must be an array of strings.");
                    choices.Add(e.GetString()!);
                }
                if (choices.Count is < 2 or > 26) throw new TaskFileException(source, n, $"'choices' needs 2 to 26 options, not {choices.Count}.");
            }

            if (!root.TryGetProperty("answer", out var a) || a.ValueKind == JsonValueKind.Null)
                throw new TaskFileException(source, n, "missing required field 'answer'.");
            var answer = a.ValueKind switch
            {
                JsonValueKind.String => a.GetString()!,
                JsonValueKind.Number => a.GetRawText(),
                _ => throw new TaskFileException(source, n, "'answer' must be a string or a number."),
            };
            if (answer.Trim().Length == 0) throw new TaskFileException(source, n, "'answer' is empty.");
            if (choices is not null) answer = ChoiceAnswer(answer, a.ValueKind == JsonValueKind.Number, choices, source, n);

            return new TaskItem(id, family, domain, difficulty, question, choices, answer.Trim(), reasoning) { SplitKey = question };
        }
    }

    private static string ChoiceAnswer(string answer, bool isNumber, List<string> choices, string source, int n)
    {
        if (isNumber)
        {
            if (int.TryParse(answer, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < choices.Count)
                return TaskItem.OptionLetter(index);
            throw new TaskFileException(source, n, $"'answer' {answer} is not a 0-based index among {choices.Count} choices.");
        }
        var letter = ChoiceGrader.LetterIndex(answer, choices.Count);
        if (letter >= 0) return TaskItem.OptionLetter(letter);
        var byText = choices.FindIndex(ch => string.Equals(ch.Trim(), answer.Trim(), StringComparison.Ordinal));
        if (byText >= 0) return TaskItem.OptionLetter(byText);
        throw new TaskFileException(source, n,
            $"'answer' \"{answer}\" is neither an option letter (A–{TaskItem.OptionLetter(choices.Count - 1)}) nor the text of one of the choices.");
    }

    private static string RequiredString(JsonElement root, string name, string source, int n)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
            throw new TaskFileException(source, n, $"missing required field '{name}'.");
        if (e.ValueKind != JsonValueKind.String) throw new TaskFileException(source, n, $"'{name}' must be a string.");
        var s = e.GetString()!;
        if (s.Trim().Length == 0) throw new TaskFileException(source, n, $"'{name}' is empty.");
        return s;
    }

    private static string? OptionalString(JsonElement root, string name, string source, int n)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        return e.ValueKind == JsonValueKind.String ? e.GetString() : throw new TaskFileException(source, n, $"'{name}' must be a string.");
    }
}
