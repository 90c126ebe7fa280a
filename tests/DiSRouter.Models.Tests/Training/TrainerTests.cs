using DiSRouter.Models.Training;

namespace DiSRouter.Models.Tests.Training;

public sealed class TrainerTests
{
    private static TrainingExample[] Batch(int seed, int count, int minLength = 5, int maxLength = 12)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => new TrainingExample(TinyModels.Sequence(rng, rng.Next(minLength, maxLength + 1))))];
    }

    [Fact]
    public void TinyModelOverfitsAHandfulOfSequencesToNearZeroLoss()
    {
        var model = TinyModels.Model(TinyModels.Config() with { HiddenSize = 32, IntermediateSize = 64 });
        var sut = new Trainer(model, TinyModels.Options(lr: 1e-2));
        var batch = Batch(seed: 1, count: 4, minLength: 8, maxLength: 12);

        var first = sut.Step(batch);
        TrainStepResult last = first;
        for (int i = 0; i < 300 && last.Loss > 0.05; i++) last = sut.Step(batch);

        Assert.True(first.Loss > 2.0, $"initial loss {first.Loss} should be near ln(13) ≈ 2.56");
        Assert.True(last.Loss < 0.05, $"loss after {last.Step} steps is {last.Loss}");
    }

    [Fact]
    public void TwoRunsWithOneSeedGiveBitIdenticalWeights()
    {
        float[][] Run()
        {
            var model = TinyModels.Model(TinyModels.Config(), seed: 11);
            var sut = new Trainer(model, TinyModels.Options(microBatch: 2));
            for (int i = 0; i < 5; i++) sut.Step(Batch(seed: 100 + i, count: 5));
            return TinyModels.Snapshot(model);
        }

        var a = Run();
        var b = Run();

        for (int p = 0; p < a.Length; p++) Assert.Equal(a[p], b[p]);
    }

    [Fact]
    public void AccumulatingMicroBatchesGivesTheGradientOfOneBigBatch()
    {
        var batch = Batch(seed: 2, count: 7);
        (double Loss, float[][] Grads) Gradients(int microBatch)
        {
            var model = TinyModels.Model(TinyModels.Config(), seed: 4);
            var sut = new Trainer(model, TinyModels.Options(microBatch: microBatch));
            double loss = sut.AccumulateGradients(batch, out _);
            return (loss, [.. model.Parameters.Select(p => p.Grad.ToArray())]);
        }

        var (bigLoss, big) = Gradients(microBatch: 7);
        var (smallLoss, small) = Gradients(microBatch: 2);

        Assert.Equal(bigLoss, smallLoss, 1e-5);
        for (int p = 0; p < big.Length; p++)
            for (int i = 0; i < big[p].Length; i++)
                Assert.True(Math.Abs(big[p][i] - small[p][i]) <= 1e-6 + 1e-4 * Math.Abs(big[p][i]), $"parameter {p}[{i}]: {big[p][i]} vs {small[p][i]}");
    }

    [Fact]
    public void PaddingDoesNotChangeTheLogProbsOfTheShorterSequence()
    {
        var model = TinyModels.Model(TinyModels.Config(), seed: 5);
        var rng = new Random(3);
        int[] shortSeq = TinyModels.Sequence(rng, 5), longSeq = TinyModels.Sequence(rng, 14);

        var alone = LogProbs.Compute(model, [shortSeq])[0];
        var padded = LogProbs.Compute(model, [longSeq, shortSeq])[1];

        Assert.Equal(4, padded.Length);
        for (int t = 0; t < alone.Length; t++) Assert.Equal(alone[t], padded[t], 1e-5);
    }

    [Fact]
    public void PaddingDoesNotChangeTheGradientOfTheShorterSequence()
    {
        var rng = new Random(6);
        int[] a = TinyModels.Sequence(rng, 6), b = TinyModels.Sequence(rng, 13);
        float[] maskB = new float[b.Length]; // b contributes nothing but padding work for a
        float[][] Grads(params TrainingExample[] batch)
        {
            var model = TinyModels.Model(TinyModels.Config(), seed: 8);
            new Trainer(model, TinyModels.Options()).AccumulateGradients(batch, out _);
            return [.. model.Parameters.Select(p => p.Grad.ToArray())];
        }

        var alone = Grads(new TrainingExample(a));
        var padded = Grads(new TrainingExample(a), new TrainingExample(b, maskB));

        for (int p = 0; p < alone.Length; p++)
            for (int i = 0; i < alone[p].Length; i++)
                Assert.True(Math.Abs(alone[p][i] - padded[p][i]) <= 1e-6 + 1e-4 * Math.Abs(alone[p][i]), $"parameter {p}[{i}]: {alone[p][i]} vs {padded[p][i]}");
    }

    [Fact]
    public void LossMaskTrainsOnlyTheMaskedInTokens()
    {
        var model = TinyModels.Model(TinyModels.Config() with { HiddenSize = 32, IntermediateSize = 64 });
        var sut = new Trainer(model, TinyModels.Options(lr: 1e-2));
        var rng = new Random(9);
        // Random "prompts" of 8 tokens, then a 3-token "answer"; only the answer is trained.
        var batch = Enumerable.Range(0, 4).Select(_ =>
        {
            var tokens = TinyModels.Sequence(rng, 11);
            var mask = new float[11];
            mask[8] = mask[9] = mask[10] = 1;
            return new TrainingExample(tokens, mask);
        }).ToArray();

        for (int i = 0; i < 150; i++) sut.Step(batch);

        var logp = LogProbs.Compute(model, [.. batch.Select(e => e.Tokens)]);
        foreach (var row in logp)
        {
            for (int t = 7; t < 10; t++) Assert.True(row[t] > -0.1, $"answer token log-prob {row[t]} should be near 0");
            Assert.True(row[..7].Average() < -1.0, $"prompt tokens were not trained, yet their mean log-prob is {row[..7].Average()}");
        }
    }

    [Fact]
    public void MaskedLossGradientEqualsTheLogProbPathWithTheSameWeights()
    {
        var rng = new Random(12);
        int[][] seqs = [TinyModels.Sequence(rng, 9), TinyModels.Sequence(rng, 6)];
        float[][] masks = [[0, 0, 0, 1, 1, 1, 0.5f, 1, 1], [0, 1, 1, 1, 0, 2]];
        double total = masks.Sum(m => m.Skip(1).Sum());

        var viaStep = TinyModels.Model(TinyModels.Config(), seed: 2);
        new Trainer(viaStep, TinyModels.Options()).AccumulateGradients([new(seqs[0], masks[0]), new(seqs[1], masks[1])], out _);

        var viaPass = TinyModels.Model(TinyModels.Config(), seed: 2);
        var sut = new Trainer(viaPass, TinyModels.Options());
        using var pass = sut.ForwardLogProbs(seqs);
        // LogProbs[i][t − 1] is the prediction of tokens[t], which LossMask[t] weights.
        sut.Backward(pass, [.. masks.Select(m => m.Skip(1).Select(w => (float)(-w / total)).ToArray())]);

        for (int p = 0; p < viaStep.Parameters.Count; p++)
            for (int i = 0; i < viaStep.Parameters[p].Length; i++)
                Assert.Equal(viaStep.Parameters[p].Grad[i], viaPass.Parameters[p].Grad[i], 1e-5);
    }

    [Fact]
    public void ForwardLogProbsMatchesLogProbsCompute()
    {
        var model = TinyModels.Model(TinyModels.Config(tied: true), seed: 3);
        var rng = new Random(4);
        int[][] seqs = [TinyModels.Sequence(rng, 9), TinyModels.Sequence(rng, 3), TinyModels.Sequence(rng, 7)];
        var sut = new Trainer(model, TinyModels.Options());

        using var pass = sut.ForwardLogProbs(seqs);
        var expected = LogProbs.Compute(model, seqs);

        Assert.Equal(seqs.Select(s => s.Length - 1), pass.LogProbs.Select(r => r.Length));
        for (int i = 0; i < seqs.Length; i++) Assert.Equal(expected[i], pass.LogProbs[i]);
        Assert.All(pass.LogProbs.SelectMany(r => r), lp => Assert.True(lp < 0));
    }

    [Fact]
    public void APassCanBeBackPropagatedOnlyOnce()
    {
        var sut = new Trainer(TinyModels.Model(TinyModels.Config()), TinyModels.Options());
        var pass = sut.ForwardLogProbs([[1, 2, 3]]);
        sut.Backward(pass, [[1f, 1f]]);

        Assert.Throws<InvalidOperationException>(() => sut.Backward(pass, [[1f, 1f]]));
    }

    [Fact]
    public void BackwardRejectsGradientsOfTheWrongShape()
    {
        var sut = new Trainer(TinyModels.Model(TinyModels.Config()), TinyModels.Options());
        using var pass = sut.ForwardLogProbs([[1, 2, 3], [4, 5]]);

        var ex = Assert.Throws<ArgumentException>(() => sut.Backward(pass, [[1f, 1f], [1f, 1f]]));
        Assert.Contains("row 1", ex.Message);
    }

    [Fact]
    public void SaveAndLoadStateResumesOnTheSameTrajectory()
    {
        var dir = Directory.CreateTempSubdirectory("disrouter-trainer-");
        try
        {
            var options = TinyModels.Options(lr: 3e-3) with { WarmupSteps = 2, TotalSteps = 6, MinLearningRate = 3e-4, WeightDecay = 0.1 };
            var batches = Enumerable.Range(0, 6).Select(i => Batch(seed: 40 + i, count: 3)).ToArray();

            var straight = TinyModels.Model(TinyModels.Config(), seed: 21);
            var straightTrainer = new Trainer(straight, options);
            foreach (var b in batches) straightTrainer.Step(b);

            var first = TinyModels.Model(TinyModels.Config(), seed: 21);
            var firstTrainer = new Trainer(first, options);
            foreach (var b in batches[..3]) firstTrainer.Step(b);
            string statePath = Path.Combine(dir.FullName, "optimizer.bin");
            firstTrainer.SaveState(statePath);
            var weights = first.State().ToDictionary(kv => kv.Key, kv => kv.Value with { Data = kv.Value.Data.ToArray() });

            var resumed = TransformerModel.CreateEmpty(TinyModels.Config());
            resumed.LoadState(weights);
            var sut = new Trainer(resumed, options);
            sut.LoadState(statePath);
            foreach (var b in batches[3..]) sut.Step(b);

            Assert.Equal(6, sut.StepCount);
            Assert.Empty(Directory.GetFiles(dir.FullName, "*.tmp-*"));
            for (int p = 0; p < straight.Parameters.Count; p++) Assert.Equal(straight.Parameters[p].Data, resumed.Parameters[p].Data);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void TruncatedStateFileIsRejectedNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("disrouter-trainer-");
        try
        {
            var sut = new Trainer(TinyModels.Model(TinyModels.Config()), TinyModels.Options());
            sut.Step(Batch(seed: 1, count: 2));
            string path = Path.Combine(dir.FullName, "state.bin");
            sut.SaveState(path);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

            var ex = Assert.Throws<InvalidDataException>(() => sut.LoadState(path));
            Assert.Contains(path, ex.Message);
            Assert.Contains("truncated", ex.Message);
            Assert.Equal(1, sut.StepCount);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void StateOfAnotherModelLayoutIsRejected()
    {
        var dir = Directory.CreateTempSubdirectory("disrouter-trainer-");
        try
        {
            string path = Path.Combine(dir.FullName, "state.bin");
            new Trainer(TinyModels.Model(TinyModels.Config(bias: true)), TinyModels.Options()).SaveState(path);
            var sut = new Trainer(TinyModels.Model(TinyModels.Config(bias: false)), TinyModels.Options());

            var ex = Assert.Throws<InvalidDataException>(() => sut.LoadState(path));
            Assert.Contains("parameters", ex.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void WeightDecayShrinksMatricesButNotNormsOrBiases()
    {
        var model = TinyModels.Model(TinyModels.Config(bias: true), scale: 10f);
        var before = TinyModels.Snapshot(model);
        var sut = new Trainer(model, TinyModels.Options(lr: 0.1) with { WeightDecay = 0.5 });
        int version = model.Version;

        sut.OptimizerStep(); // no gradients: only the decay moves the weights

        Assert.Equal(version + 1, model.Version);
        for (int p = 0; p < before.Length; p++)
        {
            var param = model.Parameters[p];
            float factor = param.Shape.Length >= 2 ? 1f - 0.1f * 0.5f : 1f;
            for (int i = 0; i < param.Length; i++) Assert.Equal(before[p][i] * factor, param.Data[i], 1e-6);
        }
    }

    [Fact]
    public void LearningRateWarmsUpLinearlyThenFollowsACosineToTheFloor()
    {
        var sut = new Trainer(TinyModels.Model(TinyModels.Config()), new TrainerOptions { LearningRate = 1.0, MinLearningRate = 0.1, WarmupSteps = 4, TotalSteps = 14 });

        Assert.Equal(0.2, sut.GetLr(0), 12);
        Assert.Equal(0.8, sut.GetLr(3), 12);
        Assert.Equal(1.0, sut.GetLr(4), 12);
        Assert.Equal(0.55, sut.GetLr(9), 12);   // halfway down the cosine
        Assert.Equal(0.1, sut.GetLr(14), 12);
        Assert.Equal(0.1, sut.GetLr(1000), 12);
        for (int s = 4; s < 14; s++) Assert.True(sut.GetLr(s + 1) < sut.GetLr(s));
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("token")]
    [InlineData("mask-length")]
    [InlineData("all-masked")]
    [InlineData("too-short")]
    [InlineData("too-long")]
    public void BadBatchesAreRejectedWithTheReason(string kind)
    {
        var sut = new Trainer(TinyModels.Model(TinyModels.Config()), TinyModels.Options());
        TrainingExample[] batch = kind switch
        {
            "empty" => [],
            "token" => [new([1, 2, 13])],
            "mask-length" => [new([1, 2, 3], [1, 1])],
            "all-masked" => [new([1, 2, 3], [1, 0, 0])],
            "too-short" => [new([1])],
            _ => [new(new int[40])],
        };
        string expected = kind switch
        {
            "empty" => "empty", "token" => "token id 13", "mask-length" => "2 entries for 3 tokens",
            "all-masked" => "nothing to train", "too-short" => "at least 2", _ => "max_position_embeddings",
        };

        var ex = Assert.ThrowsAny<ArgumentException>(() => sut.Step(batch));
        Assert.Contains(expected, ex.Message);
        Assert.Equal(0, sut.StepCount);
    }
}
