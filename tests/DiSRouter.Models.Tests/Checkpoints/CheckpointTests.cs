using System.Buffers.Binary;
using System.Text;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tests.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Tests.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("ckpt-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string WeightsPath => Path.Combine(dir, "model.safetensors");

    [Theory]
    [InlineData(false, true, 2)]
    [InlineData(true, false, 4)]
    public void SaveThenLoadRoundTripsBitExactlyInF32(bool tied, bool bias, int kvHeads)
    {
        var model = TinyModels.Create(seed: 3, tied, bias, kvHeads);
        Checkpoint.Save(dir, model, ByteTokenizer.Default, metadata: new Dictionary<string, string> { ["step"] = "42" });

        var sut = Checkpoint.Load(dir);

        Assert.Equal(model.Config, sut.Model.Config);
        Assert.Equal(model.Parameters.Select(p => p.Name), sut.Model.Parameters.Select(p => p.Name));
        foreach (var p in model.Parameters)
        {
            var loaded = sut.Model.Find(p.Name)!;
            Assert.Equal(p.Data.Select(BitConverter.SingleToInt32Bits), loaded.Data.Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal(tied, ReferenceEquals(sut.Model.LmHead, sut.Model.Embedding));
        Assert.Equal("42", sut.Metadata["step"]);
        Assert.Equal(258, sut.Tokenizer.EosId);
        Assert.True(sut.Model.Version > 0);
    }

    [Fact]
    public void Bf16CheckpointLoadsWithinBf16Rounding()
    {
        var model = TinyModels.Create(seed: 4);
        Checkpoint.Save(dir, model, ByteTokenizer.Default, CheckpointDType.BF16);
        Assert.True(new FileInfo(WeightsPath).Length < model.ParameterCount * 2 + 8192);

        var sut = Checkpoint.Load(dir).Model;

        foreach (var p in model.Parameters)
        {
            var loaded = sut.Find(p.Name)!.Data;
            for (int i = 0; i < p.Length; i++)
                Assert.True(Math.Abs(loaded[i] - p.Data[i]) <= Math.Abs(p.Data[i]) * (1.0 / 256), $"{p.Name}[{i}]: {p.Data[i]} → {loaded[i]}");
        }
    }

    [Fact]
    public void Bf16RoundsToNearestWithTiesToEven()
    {
        float one = 1f, ulp = MathF.Pow(2, -7);
        float[] values = [one + ulp / 2, one + ulp + ulp / 2, one + ulp / 2 + ulp / 8, -2.5f, float.PositiveInfinity, float.NaN];
        var path = Path.Combine(dir, "x.safetensors");
        SafeTensorsWriter.Write(path, [new NamedTensor("x", [values.Length], values)], CheckpointDType.BF16);

        var sut = SafeTensorsFile.ReadAll(path)["x"].Data;

        Assert.Equal(one, sut[0]);                 // tie → even mantissa (down)
        Assert.Equal(one + 2 * ulp, sut[1]);       // tie → even mantissa (up)
        Assert.Equal(one + ulp, sut[2]);           // above the tie → up
        Assert.Equal(-2.5f, sut[3]);
        Assert.Equal(float.PositiveInfinity, sut[4]);
        Assert.True(float.IsNaN(sut[5]));
    }

    [Fact]
    public void ReadsF16AndBf16TensorsWrittenByOtherTools()
    {
        // Built byte by byte as the Python safetensors package lays it out: no padding, offsets from the data start.
        Half[] h = [(Half)1.5f, (Half)(-0.25f), (Half)65504f];
        ushort[] b = [0x3F80, 0xC040]; // 1.0, -3.0 in bfloat16
        var header = """{"__metadata__":{"format":"pt"},"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[6,10]}}""";
        var bytes = new List<byte>();
        bytes.AddRange(BitConverter.GetBytes((ulong)Encoding.UTF8.GetByteCount(header)));
        bytes.AddRange(Encoding.UTF8.GetBytes(header));
        foreach (var v in h) bytes.AddRange(BitConverter.GetBytes(v));
        foreach (var v in b) bytes.AddRange(BitConverter.GetBytes(v));
        var path = Path.Combine(dir, "foreign.safetensors");
        File.WriteAllBytes(path, bytes.ToArray());

        using var sut = SafeTensorsFile.Open(path);

        Assert.Equal([1.5f, -0.25f, 65504f], sut.Read("h"));
        Assert.Equal([1f, -3f], sut.Read("b"));
        Assert.Equal([1, 2], sut.Tensors["b"].Shape);
        Assert.Equal("pt", sut.Metadata["format"]);
    }

    [Fact]
    public void RealQwen2ConfigWithExtraFieldsReads()
    {
        var path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, """
            {
              "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151643,
              "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02, "intermediate_size": 4864,
              "max_position_embeddings": 32768, "max_window_layers": 21, "model_type": "qwen2", "num_attention_heads": 14,
              "num_hidden_layers": 24, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_scaling": null,
              "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
              "transformers_version": "4.43.1", "use_cache": true, "use_sliding_window": false, "vocab_size": 151936
            }
            """);

        var sut = ConfigFile.Read(path);

        Assert.Equal((896, 4864, 24, 14, 2, 64), (sut.HiddenSize, sut.IntermediateSize, sut.NumHiddenLayers, sut.NumAttentionHeads, sut.NumKeyValueHeads, sut.HeadDim));
        Assert.Equal((151936, 32768, 1e6, 1e-6), (sut.VocabSize, sut.MaxPositionEmbeddings, sut.RopeTheta, sut.RmsNormEps));
        Assert.True(sut.TieWordEmbeddings);
        Assert.True(sut.AttentionBias); // implied for Qwen2, which always has q/k/v biases
    }

    [Fact]
    public void OwnConfigRoundTrips()
    {
        var config = TinyModels.Config(tied: true, bias: false);
        var path = Path.Combine(dir, "config.json");
        ConfigFile.Write(path, config);
        Assert.Equal(config, ConfigFile.Read(path));
        Assert.Contains("\"num_key_value_heads\": 2", File.ReadAllText(path));
    }

    // ---- corrupt checkpoints: each throws CheckpointException naming the broken file ----

    [Fact]
    public void HugeHeaderLengthIsReported()
    {
        SaveTiny();
        using (var fs = File.OpenWrite(WeightsPath)) fs.Write(BitConverter.GetBytes(ulong.MaxValue / 3));
        AssertCorrupt(WeightsPath, "header length");
    }

    [Fact]
    public void GarbledHeaderJsonIsReported()
    {
        SaveTiny();
        using (var fs = File.OpenWrite(WeightsPath)) { fs.Position = 8; fs.Write("{{{{"u8); }
        AssertCorrupt(WeightsPath, "JSON");
    }

    [Fact]
    public void TruncatedWeightsAreReported()
    {
        SaveTiny();
        using (var fs = File.OpenWrite(WeightsPath)) fs.SetLength(fs.Length - 100);
        AssertCorrupt(WeightsPath, "truncated");
    }

    [Fact]
    public void FileCutInsideTheHeaderIsReported()
    {
        SaveTiny();
        using (var fs = File.OpenWrite(WeightsPath)) fs.SetLength(20);
        AssertCorrupt(WeightsPath, "header length");
    }

    [Fact]
    public void UnsupportedDtypeIsReported()
    {
        WriteRawSafeTensors(WeightsPath, """{"model.embed_tokens.weight":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}""", 16);
        SaveTinyExceptWeights();
        AssertCorrupt(WeightsPath, "I64");
    }

    [Fact]
    public void OffsetsThatDisagreeWithTheShapeAreReported()
    {
        WriteRawSafeTensors(WeightsPath, """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8);
        var e = Assert.Throws<CheckpointException>(() => SafeTensorsFile.Open(WeightsPath));
        Assert.Equal(WeightsPath, e.FilePath);
        Assert.Contains("needs 12", e.Message);
    }

    [Fact]
    public void OverlappingTensorsAreReported()
    {
        WriteRawSafeTensors(WeightsPath, """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12);
        Assert.Contains("overlap", Assert.Throws<CheckpointException>(() => SafeTensorsFile.Open(WeightsPath)).Message);
    }

    [Fact]
    public void ShapeMismatchWithConfigIsReported()
    {
        SaveTiny();
        ConfigFile.Write(Path.Combine(dir, "config.json"), TinyModels.Config() with { IntermediateSize = 64 });
        AssertCorrupt(WeightsPath, "mlp.gate_proj.weight");
    }

    [Fact]
    public void MissingTensorIsReported()
    {
        var model = TinyModels.Create();
        var tensors = model.Parameters.Where(p => p.Name != "model.norm.weight").Select(p => new NamedTensor(p.Name, p.Shape, p.Data)).ToArray();
        SafeTensorsWriter.Write(WeightsPath, tensors);
        SaveTinyExceptWeights();
        AssertCorrupt(WeightsPath, "model.norm.weight");
    }

    [Fact]
    public void ExtraTensorIsReported()
    {
        var model = TinyModels.Create();
        var tensors = model.Parameters.Select(p => new NamedTensor(p.Name, p.Shape, p.Data)).Append(new NamedTensor("stray", [1], [0f])).ToArray();
        SafeTensorsWriter.Write(WeightsPath, tensors);
        SaveTinyExceptWeights();
        AssertCorrupt(WeightsPath, "stray");
    }

    [Fact]
    public void MissingConfigIsReported()
    {
        SaveTiny();
        File.Delete(Path.Combine(dir, "config.json"));
        AssertCorrupt(Path.Combine(dir, "config.json"), "does not exist");
    }

    [Fact]
    public void MissingWeightsAreReported()
    {
        SaveTiny();
        File.Delete(WeightsPath);
        AssertCorrupt(WeightsPath, "does not exist");
    }

    [Fact]
    public void InvalidConfigIsReported()
    {
        SaveTiny();
        File.WriteAllText(Path.Combine(dir, "config.json"), """{"hidden_size": 30, "num_attention_heads": 4}""");
        AssertCorrupt(Path.Combine(dir, "config.json"), "divide");
    }

    [Fact]
    public void UnsupportedTokenizerIsReportedAsACheckpointError()
    {
        SaveTiny();
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), """{"model": {"type": "Unigram"}}""");
        AssertCorrupt(Path.Combine(dir, "tokenizer.json"), "Unigram");
    }

    [Fact]
    public void BpeTokenizerWithoutAVocabularyIsReportedAsACheckpointError()
    {
        SaveTiny();
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), """{"model": {"type": "BPE"}}""");
        AssertCorrupt(Path.Combine(dir, "tokenizer.json"), "model.vocab");
    }

    // ---- atomic writes ----

    [Fact]
    public void CrashDuringAWriteLeavesTheRealFileUntouchedAndNoTempFile()
    {
        var path = Path.Combine(dir, "model.safetensors");
        File.WriteAllText(path, "the previous, complete checkpoint");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, fs =>
        {
            fs.Write(new byte[10_000]);
            throw new IOException("disk unplugged");
        }));

        Assert.Equal("the previous, complete checkpoint", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir));
    }

    [Fact]
    public void TempFileLeftByAKilledSaveIsIgnoredByLoadAndByTheNextSave()
    {
        var model = TinyModels.Create(seed: 5);
        Checkpoint.Save(dir, model, ByteTokenizer.Default);
        // What a process killed in mid-write leaves: a half-written temp file next to the real one.
        var stray = Path.Combine(dir, ".model.safetensors.0123456789abcdef.tmp");
        File.WriteAllBytes(stray, File.ReadAllBytes(WeightsPath)[..100]);

        var sut = Checkpoint.Load(dir);
        Assert.Equal(model.Embedding.Data, sut.Model.Embedding.Data);

        Checkpoint.Save(dir, TinyModels.Create(seed: 6), ByteTokenizer.Default);
        Assert.Equal(TinyModels.Create(seed: 6).Embedding.Data, Checkpoint.Load(dir).Model.Embedding.Data);
        Assert.Equal(100, new FileInfo(stray).Length);
    }

    private void SaveTiny() => Checkpoint.Save(dir, TinyModels.Create(), ByteTokenizer.Default);

    private void SaveTinyExceptWeights()
    {
        ConfigFile.Write(Path.Combine(dir, "config.json"), TinyModels.Config());
        TokenizerFile.Write(Path.Combine(dir, "tokenizer.json"), ByteTokenizer.Default);
    }

    private void AssertCorrupt(string file, string reasonPart)
    {
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(dir));
        Assert.Equal(file, e.FilePath);
        Assert.Contains(file, e.Message);
        Assert.Contains(reasonPart, e.Message);
    }

    private static void WriteRawSafeTensors(string path, string header, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
    }
}
