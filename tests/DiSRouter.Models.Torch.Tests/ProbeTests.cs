public class ProbeTests { [Fact] public void Loads() { var t = TorchSharp.torch.ones(2, 3); Assert.Equal(6, t.sum().item<float>()); } }
