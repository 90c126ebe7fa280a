using DiSRouter.Core.Tasks;
using DiSRouter.Core.Tasks.Grading;

namespace DiSRouter.Core.Tests.Tasks;

public sealed class TaskJsonlTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("disrouter-jsonl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Join("\n", lines));
        return path;
    }

    [Fact]
    public void LoadsGsm8kArcAndMmluShapedLines()
    {
        var path = WriteFile("mixed.jsonl",
            """{"question": "Tom has 3 apples and buys 4. How many?", "answer": "7", "family": "gsm8k"}""",
            "",
            """{"question": "Which is a mammal?", "choices": ["shark", "whale", "trout", "eel"], "answer": "B", "family": "arc", "id": "arc-9", "difficulty": 2}""",
            """{"question": "2+2?", "choices": ["3", "4", "5", "6"], "answer": 1, "family": "mmlu", "domain": "ood"}""",
            """{"question": "Capital of Vornia?", "choices": ["Morvo", "Telsk"], "answer": "Telsk"}""",
            """{"question": "How many?", "answer": 1234, "reasoning": "counted", "extra": {"ignored": true}}""");

        var sut = TaskJsonl.Load(path);

        Assert.Equal(5, sut.Count);
        Assert.Equal(("gsm8k", "gsm8k-1", 0, TaskDomain.InDomain), (sut[0].Family, sut[0].Id, sut[0].Difficulty, sut[0].Domain));
        Assert.Equal(GraderKind.Numeric, Grader.KindFor(sut[0]));
        Assert.Equal(("arc-9", 2, "B"), (sut[1].Id, sut[1].Difficulty, sut[1].Answer));
        Assert.Equal(GraderKind.Choice, Grader.KindFor(sut[1]));
        Assert.Equal(("B", TaskDomain.OutOfDomain), (sut[2].Answer, sut[2].Domain));
        Assert.Equal(("mixed", "B"), (sut[3].Family, sut[3].Answer));
        Assert.Equal(("1234", "counted"), (sut[4].Answer, sut[4].Reasoning));

        Assert.True(Grader.IsCorrect(sut[0], "The final answer is: 7."));
        Assert.True(Grader.IsCorrect(sut[1], "The final answer is: whale."));
        Assert.True(Grader.IsCorrect(sut[2], "(B)"));
        Assert.True(Grader.IsCorrect(sut[3], "The final answer is: Telsk"));
        Assert.True(Grader.IsCorrect(sut[4], "The final answer is: 1,234"));
    }

    [Fact]
    public void GeneratedItemsRoundTrip()
    {
        var items = new TaskSuite(0, new TaskSuiteOptions { TestPerFamily = 5 }).Items(TaskSplit.Test);
        var path = Path.Combine(_dir, "suite.jsonl");
        TaskJsonl.Save(path, items);
        var sut = TaskJsonl.Load(path);
        Assert.Equal(items, sut);
        Assert.All(sut, i => Assert.True(Grader.IsCorrect(i, i.Target)));
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1, 2]", "JSON object")]
    [InlineData("""{"answer": "7"}""", "missing required field 'question'")]
    [InlineData("""{"question": "Q?"}""", "missing required field 'answer'")]
    [InlineData("""{"question": "  ", "answer": "7"}""", "'question' is empty")]
    [InlineData("""{"question": 5, "answer": "7"}""", "'question' must be a string")]
    [InlineData("""{"question": "Q?", "answer": true}""", "'answer' must be a string or a number")]
    [InlineData("""{"question": "Q?", "answer": "A", "choices": "A,B"}""", "'choices' must be an array")]
    [InlineData("""{"question": "Q?", "answer": "A", "choices": ["x", 2]}""", "'choices' must be an array")]
    [InlineData("""{"question": "Q?", "answer": "A", "choices": ["x"]}""", "2 to 26 options")]
    [InlineData("""{"question": "Q?", "answer": "E", "choices": ["w", "x", "y", "z"]}""", "neither an option letter")]
    [InlineData("""{"question": "Q?", "answer": 4, "choices": ["w", "x", "y", "z"]}""", "0-based index")]
    [InlineData("""{"question": "Q?", "answer": "7", "domain": "other"}""", "'domain' must be")]
    [InlineData("""{"question": "Q?", "answer": "7", "difficulty": "hard"}""", "'difficulty' must be")]
    [InlineData("""{"question": "Q?", "answer": "7", "family": 3}""", "'family' must be a string")]
    public void BadLineNamesTheFileAndTheLine(string badLine, string reason)
    {
        var path = WriteFile("bad.jsonl", """{"question": "ok?", "answer": "1"}""", "", badLine);
        var e = Assert.Throws<TaskFileException>(() => TaskJsonl.Load(path));
        Assert.Equal(3, e.Line);
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith($"{path}:3: ", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void DuplicateIdsAndMissingFilesAreErrors()
    {
        var path = WriteFile("dup.jsonl", """{"question": "a?", "answer": "1", "id": "x"}""", """{"question": "b?", "answer": "2", "id": "x"}""");
        Assert.Contains("duplicate id 'x'", Assert.Throws<TaskFileException>(() => TaskJsonl.Load(path)).Message);
        var missing = Path.Combine(_dir, "nope.jsonl");
        Assert.Contains("does not exist", Assert.Throws<TaskFileException>(() => TaskJsonl.Load(missing)).Message);
    }

    [Fact]
    public void ByteOrderMarkAndBlankLinesAreFine()
    {
        var path = Path.Combine(_dir, "bom.jsonl");
        File.WriteAllText(path, "\n" + """{"question": "Q?", "answer": "x"}""" + "\r\n\r\n", new System.Text.UTF8Encoding(true));
        var sut = TaskJsonl.Load(path);
        Assert.Single(sut);
        Assert.Equal("bom-2", sut[0].Id);
    }
}
