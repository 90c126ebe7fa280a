using DiSRouter.Models.Autograd;

namespace DiSRouter.Models.Tests.Autograd;

public sealed class ArenaTests
{
    [Fact]
    public void OverflowingPassIsMergedIntoOneBlockThatFitsTheNextPass()
    {
        var sut = new Arena(initialFloats: 100);
        for (int i = 0; i < 5; i++) sut.Allocate(90, zero: false);
        sut.Reset();
        long capacity = sut.CapacityFloats;

        for (int i = 0; i < 5; i++) sut.Allocate(90, zero: false);
        sut.Reset();

        Assert.Equal(capacity, sut.CapacityFloats);
    }

    [Fact]
    public void ZeroedSlicesAreCleanAfterReuse()
    {
        var sut = new Arena(initialFloats: 64);
        sut.Allocate(32, zero: false).AsSpan().Fill(7f);
        sut.Reset();

        var slice = sut.Allocate(32, zero: true);

        Assert.All(slice.ToArray(), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void SlicesDoNotOverlap()
    {
        var sut = new Arena(initialFloats: 64);
        var a = sut.Allocate(20, zero: true);
        var b = sut.Allocate(20, zero: true);

        a.AsSpan().Fill(1f);

        Assert.All(b.ToArray(), x => Assert.Equal(0f, x));
    }

    [Fact]
    public unsafe void EverySliceStartsOnACacheLine()
    {
        var sut = new Arena(initialFloats: 100);
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (int length in new[] { 1, 17, 90, 33, 400 })   // 400 overflows into a new block on the first pass
            {
                var slice = sut.Allocate(length, zero: false);
                fixed (float* p = slice.AsSpan()) Assert.Equal(0, (nint)p % 64);
            }
            sut.Reset();
        }
    }
}
