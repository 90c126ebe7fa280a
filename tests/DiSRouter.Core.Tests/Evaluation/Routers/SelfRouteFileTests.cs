using DiSRouter.Core.Evaluation.Routers;

namespace DiSRouter.Core.Tests.Evaluation.Routers;

/// <summary>The fitted Self-Route router survives its file: same statements, same profiles, same routes; a bad file says why.</summary>
public sealed class SelfRouteFileTests : IDisposable
{
    private static readonly NGramFeatures Features = new(1 << 12);
    private static readonly SelfRouteAgent[] Agents = [new("cheap", "aaaa", 0.1), new("dear", "bbbb", 0.9)];
    private readonly string _dir = Directory.CreateTempSubdirectory("self-route-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ReloadedRouterStatesAndRoutesAsTheFittedOneAndSavesToTheSameFile()
    {
        var (queries, correct) = ToyWorld.Training();
        var fitted = new SelfRouteRouter(queries, correct, Features);
        var path = Path.Combine(_dir, SelfRouteFile.FileName);
        fitted.ToFile(Agents).Save(path);

        var file = SelfRouteFile.Load(path);
        var loaded = SelfRouteRouter.FromFile(file);

        Assert.Equal(Agents, file.Agents);
        var probes = Enumerable.Range(900, 40).SelectMany(i => new[] { ToyWorld.Apple(i), ToyWorld.Zebra(i) }).ToList();
        foreach (var q in probes)
        {
            Assert.Equal(fitted.State(q.Text), loaded.State(q.Text));
            Assert.Equal(fitted.Predict(q), loaded.Predict(q));
        }
        Assert.Equal((0, 1), ToyWorld.Routes(loaded));
        // The weights were rounded to float32 once, on the way out: the served router writes the very same file.
        var again = Path.Combine(_dir, "again.json");
        SelfRouteRouter.FromFile(file).ToFile(Agents).Save(again);
        Assert.Equal(File.ReadAllText(path), File.ReadAllText(again));
    }

    [Fact]
    public void RouteStatesTheCellAndPicksTheBestUtilityAmongTheMembers()
    {
        var (queries, correct) = ToyWorld.Training();
        var sut = SelfRouteRouter.FromFile(new SelfRouteRouter(queries, correct, Features).ToFile(Agents));

        var zebra = sut.Route(ToyWorld.Zebra(1000).Text, 0.5, ToyWorld.Costs);
        Assert.Equal((1, "zebra", "1"), (zebra.Agent, zebra.Family, zebra.Difficulty));
        // Laplace-smoothed accuracy of the (zebra, 1) cell: 10 zebras, the cheap agent right on none, the dear one on all.
        Assert.Equal([1.0 / 12, 11.0 / 12], zebra.Profile);
        // With the dear agent out of the members the cheap one takes it, whatever its profile says.
        Assert.Equal(0, sut.Route(ToyWorld.Zebra(1000).Text, 0.5, ToyWorld.Costs, [0]).Agent);
        Assert.Equal(0, sut.Route(ToyWorld.Apple(1000).Text, 0.5, ToyWorld.Costs).Agent);
    }

    [Fact]
    public void FileOfAnotherFormatIsRefusedWithItsName()
    {
        var (queries, correct) = ToyWorld.Training();
        var path = Path.Combine(_dir, SelfRouteFile.FileName);
        (new SelfRouteRouter(queries, correct, Features).ToFile(Agents) with { Format = "disrouter-self-route/0" }).Save(path);

        var e = Assert.Throws<InvalidDataException>(() => SelfRouteFile.Load(path));
        Assert.Contains("disrouter-self-route/0", e.Message);
    }

    [Fact]
    public void RegistryWithTheWrongNumberOfAgentsIsRefused()
    {
        var (queries, correct) = ToyWorld.Training();
        var file = new SelfRouteRouter(queries, correct, Features).ToFile(Agents);
        var three = file with { Agents = [.. Agents, new SelfRouteAgent("third", "cccc", 1.0)] };

        var e = Assert.Throws<InvalidDataException>(() => SelfRouteRouter.FromFile(three));
        Assert.Contains("3 accuracies", e.Message);
    }

    [Fact]
    public void TextThatIsNotJsonIsRefusedAsNotARouterFile()
    {
        var path = Path.Combine(_dir, SelfRouteFile.FileName);
        File.WriteAllText(path, "not json");
        Assert.Contains("not a Self-Route router file", Assert.Throws<InvalidDataException>(() => SelfRouteFile.Load(path)).Message);
    }
}
