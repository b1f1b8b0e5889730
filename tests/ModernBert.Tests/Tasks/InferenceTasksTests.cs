using System.Text.Json;
using MassTransit.Serialization;
using ModernBert.Fleet.Contracts;
using ModernBert.Modeling;
using ModernBert.Tasks;
using ModernBert.Tasks.Classify;
using ModernBert.Tasks.Embed;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Tasks;

public sealed class InferenceTasksTests
{
    [Fact]
    public void AnUnknownTaskNameIsAnErrorListingTheKnownOnes()
    {
        var error = Assert.Throws<ConfigurationException>(() => InferenceTasks.Get("rerank"));

        Assert.Equal("Unknown task 'rerank'; the known tasks are embed, classify, sparse, multivector, token-classify.", error.Message);
    }

    [Fact]
    public void EachTaskIsFoundByItsOwnName()
    {
        Assert.Equal(["embed", "classify", "sparse", "multivector", "token-classify"], InferenceTasks.Names);
        Assert.All(InferenceTasks.All, task => Assert.Same(task, InferenceTasks.Get(task.Name)));
        Assert.Same(EmbedTask.Instance, InferenceTasks.Get("embed"));
        Assert.Same(ClassifyTask.Instance, InferenceTasks.Get("classify"));
    }

    [Fact]
    public void EmbedAndClassifyReadTextsOrPreTokenizedIdsAndTokenClassifyTextsOnly()
    {
        Assert.All(InferenceTasks.All.Where(task => task.Name != "token-classify"), task => Assert.Equal(InputEncodings.Text | InputEncodings.TokenIds, task.Input));
        Assert.Equal(InputEncodings.Text, InferenceTasks.Get("token-classify").Input);
    }

    [Fact]
    public void TaskOptionsSurviveTheJobsJsonRoundTrip()
    {
        ConfiguredTask embed = EmbedTask.Instance.Configure(new EmbedOptions(PoolingMode.Cls, Normalize: false, Dimensions: 32, EmbeddingPrecision.Float16));
        var job = new InferenceJob
        {
            RunId = "r1",
            JobId = 7,
            EventsQueue = "events",
            Spec = new JobSpec { Task = embed.Name, TaskOptions = embed.OptionsJson, Model = "m", OutputLocation = "/out" },
        };

        InferenceJob received = JsonSerializer.Deserialize<InferenceJob>(JsonSerializer.Serialize(job, SystemTextJsonMessageSerializer.Options),
            SystemTextJsonMessageSerializer.Options)!;

        Assert.Equal(job.Spec, received.Spec);
        ConfiguredTask task = InferenceTasks.Configure(received.Spec.Task, received.Spec.TaskOptions);
        Assert.Same(EmbedTask.Instance, task.Task);
        Assert.Equal("""{"pooling":"cls","normalize":false,"dimensions":32,"precision":"float16"}""", task.OptionsJson);
        Assert.Same(EmbeddingSchema.Float16, task.Schema);
    }

    [Fact]
    public void OptionsHaveOneCanonicalJsonSoThatEqualOptionsMakeEqualJobSpecs()
    {
        ConfiguredTask reordered = InferenceTasks.Configure("embed", """{ "precision": "float32", "pooling": "mean", "dimensions": null }""");

        Assert.Equal(EmbedTask.Instance.Configure(new EmbedOptions(PoolingMode.Mean)).OptionsJson, reordered.OptionsJson);
        Assert.Equal("""{"precision":"float32"}""", InferenceTasks.Configure("embed", null).OptionsJson);
        Assert.Equal("""{"pairs":false,"truncation":"longest_first","pair_overflow":"truncate"}""", InferenceTasks.Configure("classify", "").OptionsJson);
    }

    [Fact]
    public void EnumValuesAreWrittenAsTheLibrariesTheyMirrorSpellThem_AndReadAsEarlierReleasesWroteThem()
    {
        ConfiguredTask embed = EmbedTask.Instance.Configure(new EmbedOptions(PoolingMode.WeightedMean, Precision: EmbeddingPrecision.UBinary));
        ConfiguredTask classify = ClassifyTask.Instance.Configure(new ClassifyOptions(Pairs: true, Truncation: TruncationStrategy.OnlySecond));
        // Before the names were sentence-transformers' own, specs and jobs held JsonNamingPolicy.SnakeCaseLower's.
        ConfiguredTask earlier = InferenceTasks.Configure("embed", """{"pooling":"weighted_mean","precision":"u_binary"}""");

        Assert.Equal("""{"pooling":"weightedmean","precision":"ubinary"}""", embed.OptionsJson);
        Assert.Contains("\"truncation\":\"only_second\"", classify.OptionsJson, StringComparison.Ordinal);
        Assert.Equal(embed.OptionsJson, earlier.OptionsJson);
    }

    [Theory]
    [InlineData("embed", """{"pooling":"mean","dimension":32}""", "'dimension'")]
    [InlineData("embed", """{"pooling":"median"}""", "$.pooling: 'median' is not cls, mean, max, mean_sqrt_len_tokens, weightedmean or lasttoken.")]
    [InlineData("embed", """{"precision":1}""", "$.precision: Number is not float32, float16, int8, uint8, binary or ubinary.")]
    [InlineData("embed", """{"dimensions":0}""", "Task 'embed': dimensions must be at least 1, not 0.")]
    [InlineData("embed", "[1, 2]", "The options of task 'embed'")]
    [InlineData("classify", """{"labels":["a"]}""", "'labels'")]
    [InlineData("classify", """{"pair_overflow":"window"}""", "Task 'classify': pair_overflow applies to pairs only: it needs pairs.")]
    [InlineData("embed", """{"ranges":[[0],[1]]}""", "Task 'embed': ranges needs precision int8 or uint8.")]
    [InlineData("multivector", """{"precision":"int8"}""", "Task 'multivector': precision int8 is not float32 or float16.")]
    public void UnknownOrOutOfRangeOptionsAreErrorsNamingTheTaskAndOption(string task, string options, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => InferenceTasks.Configure(task, options));

        Assert.Contains(expected, error.Message);
        Assert.Contains($"'{task}'", error.Message);
    }
}
