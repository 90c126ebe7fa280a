using System.Text;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class JsonlFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("disrouter-jsonl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Row(int N, string S);

    [Fact]
    public void AppendedRecordsReadBackInOrder()
    {
        var path = Path.Combine(_dir, "a.jsonl");
        using (var fs = JsonlFile.OpenAppend(path))
        {
            JsonlFile.Append(fs, new Row(1, "one"));
            JsonlFile.Append(fs, new Row(2, "two \"quoted\"\nline"));
        }
        Assert.Equal([new Row(1, "one"), new Row(2, "two \"quoted\"\nline")], JsonlFile.Read<Row>(path));
    }

    [Fact]
    public void ATornLastLineIsIgnoredOnReadAndCutOffBeforeTheNextAppend()
    {
        var path = Path.Combine(_dir, "b.jsonl");
        File.WriteAllText(path, "{\"N\":1,\"S\":\"one\"}\n{\"N\":2,\"S\":\"tw", Encoding.UTF8);
        Assert.Equal([new Row(1, "one")], JsonlFile.Read<Row>(path));
        using (var fs = JsonlFile.OpenAppend(path)) JsonlFile.Append(fs, new Row(3, "three"));
        Assert.Equal([new Row(1, "one"), new Row(3, "three")], JsonlFile.Read<Row>(path));
        Assert.Equal("{\"N\":1,\"S\":\"one\"}\n{\"N\":3,\"S\":\"three\"}\n", File.ReadAllText(path));
    }

    [Fact]
    public void AMissingFileReadsAsEmptyAndACorruptCompleteLineIsAnErrorNamingTheLine()
    {
        Assert.Empty(JsonlFile.Read<Row>(Path.Combine(_dir, "none.jsonl")));
        var path = Path.Combine(_dir, "c.jsonl");
        File.WriteAllText(path, "{\"N\":1,\"S\":\"one\"}\nnot json\n");
        var e = Assert.Throws<InvalidDataException>(() => JsonlFile.Read<Row>(path));
        Assert.Contains("c.jsonl:2", e.Message);
    }

    [Fact]
    public void AtomicDirectoryReplacesTheOldContentAndLeavesNoTempFolders()
    {
        var target = Path.Combine(_dir, "ckpt");
        AtomicWrite.ReplaceDirectory(target, d => File.WriteAllText(Path.Combine(d, "x"), "1"));
        AtomicWrite.ReplaceDirectory(target, d => File.WriteAllText(Path.Combine(d, "y"), "2"));
        Assert.Equal(["y"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.Equal(["ckpt"], Directory.GetDirectories(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailedDirectoryFillLeavesTheOldOneUntouched()
    {
        var target = Path.Combine(_dir, "ckpt");
        AtomicWrite.ReplaceDirectory(target, d => File.WriteAllText(Path.Combine(d, "x"), "1"));
        Assert.Throws<InvalidOperationException>(() => AtomicWrite.ReplaceDirectory(target, d =>
        {
            File.WriteAllText(Path.Combine(d, "half"), "");
            throw new InvalidOperationException("crash");
        }));
        Assert.Equal(["x"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.Equal(["ckpt"], Directory.GetDirectories(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void RecoverPutsTheOldFolderBackWhenACrashHitBetweenTheRenames()
    {
        var target = Path.Combine(_dir, "ckpt");
        Directory.CreateDirectory(target + ".old-123");
        File.WriteAllText(Path.Combine(target + ".old-123", "x"), "1");
        Directory.CreateDirectory(Path.Combine(_dir, ".ckpt.abc.tmp"));
        AtomicWrite.RecoverDirectory(target);
        Assert.Equal(["x"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.Equal(["ckpt"], Directory.GetDirectories(_dir).Select(Path.GetFileName));
    }
}
