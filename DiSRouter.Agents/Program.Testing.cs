// The entry point's class, made visible so that tests can host the agent with WebApplicationFactory<Program>.
public partial class Program;
