using ModernBert.Tasks.TokenClassify;

namespace ModernBert.Tests.Tasks;

/// <summary>
/// Hand-worked cases of transformers' TokenClassificationPipeline grouping. The text "Jean Dupont works at Microsoft"
/// as tokens Jean | Du | pont | works | at | Micro | soft, where "pont" and "soft" continue their words.
/// </summary>
public sealed class EntityGroupingTests
{
    private static readonly string[] Labels = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG"];
    private static readonly string[] IgnoreO = ["O"];

    // Scores per label:              O     B-PER  I-PER  B-ORG  I-ORG
    private static readonly TokenScores[] Tokens =
    [
        new([0.20f, 0.70f, 0.10f, 0.00f, 0.00f], 0, 4, false),   // Jean: B-PER .7
        new([0.10f, 0.30f, 0.60f, 0.00f, 0.00f], 5, 7, false),   // Du: I-PER .6
        new([0.50f, 0.05f, 0.40f, 0.05f, 0.00f], 7, 11, true),   // pont: O .5
        new([0.90f, 0.05f, 0.05f, 0.00f, 0.00f], 12, 17, false), // works: O .9
        new([0.80f, 0.00f, 0.00f, 0.20f, 0.00f], 18, 20, false), // at: O .8
        new([0.10f, 0.00f, 0.00f, 0.60f, 0.30f], 21, 26, false), // Micro: B-ORG .6
        new([0.05f, 0.00f, 0.00f, 0.05f, 0.90f], 26, 30, true),  // soft: I-ORG .9
    ];

    [Fact]
    public void NoneGivesEveryTokenWithItsPrefixedLabelLeavingOutO()
    {
        AssertEntities(
            [new("B-PER", 0.7f, 0, 4), new("I-PER", 0.6f, 5, 7), new("B-ORG", 0.6f, 21, 26), new("I-ORG", 0.9f, 26, 30)],
            EntityGrouping.Group(Tokens, Labels, AggregationStrategy.None, IgnoreO));
    }

    [Fact]
    public void SimpleGroupsAdjacentTokensOfOneTypeWithTheMeanScoreAndIgnoresWordBoundaries()
    {
        // B-PER .7 + I-PER .6 = PER (0, 7); pont is O, so "Dupont" is cut; B-ORG .6 + I-ORG .9 = ORG .75 (21, 30).
        AssertEntities([new("PER", 0.65f, 0, 7), new("ORG", 0.75f, 21, 30)],
            EntityGrouping.Group(Tokens, Labels, AggregationStrategy.Simple, IgnoreO));
    }

    [Fact]
    public void FirstLabelsEachWordByItsFirstToken()
    {
        // Dupont takes Du's I-PER .6 and joins Jean: PER (.7 + .6) / 2; Microsoft takes Micro's B-ORG .6.
        AssertEntities([new("PER", 0.65f, 0, 11), new("ORG", 0.6f, 21, 30)],
            EntityGrouping.Group(Tokens, Labels, AggregationStrategy.First, IgnoreO));
    }

    [Fact]
    public void AverageLabelsEachWordByItsTokensMeanScores()
    {
        // Dupont: mean (.3, .175, .5, .025, 0): I-PER .5, with Jean PER (.7 + .5) / 2 = .6;
        // Microsoft: mean (.075, 0, 0, .325, .6): I-ORG .6.
        AssertEntities([new("PER", 0.6f, 0, 11), new("ORG", 0.6f, 21, 30)],
            EntityGrouping.Group(Tokens, Labels, AggregationStrategy.Average, IgnoreO));
    }

    [Fact]
    public void MaxLabelsEachWordByItsMostConfidentToken()
    {
        // Dupont: Du (.6) beats pont (.5): I-PER .6; Microsoft: soft (.9) beats Micro (.6): I-ORG .9.
        AssertEntities([new("PER", 0.65f, 0, 11), new("ORG", 0.9f, 21, 30)],
            EntityGrouping.Group(Tokens, Labels, AggregationStrategy.Max, IgnoreO));
    }

    [Fact]
    public void ABPrefixStartsANewEntityEvenAfterTheSameType()
    {
        TokenScores[] tokens =
        [
            new([0.1f, 0.8f, 0.1f, 0f, 0f], 0, 3, false),  // Ann: B-PER .8
            new([0.1f, 0.9f, 0.0f, 0f, 0f], 4, 7, false),  // Bob: B-PER .9
            new([0.2f, 0.0f, 0.8f, 0f, 0f], 8, 12, false), // Cole: I-PER .8
        ];

        AssertEntities([new("PER", 0.8f, 0, 3), new("PER", 0.85f, 4, 12)],
            EntityGrouping.Group(tokens, Labels, AggregationStrategy.Simple, IgnoreO));
    }

    [Fact]
    public void LabelsWithoutPrefixesContinueAndIgnoreLabelsApplyToTheGroupedLabel()
    {
        string[] labels = ["O", "PER", "LOC"];
        TokenScores[] tokens =
        [
            new([0.1f, 0.9f, 0.0f], 0, 4, false),  // PER
            new([0.3f, 0.7f, 0.0f], 5, 9, false),  // PER: joins (no prefix counts as I-)
            new([0.2f, 0.0f, 0.8f], 10, 15, false), // LOC
        ];

        AssertEntities([new("PER", 0.8f, 0, 9)], EntityGrouping.Group(tokens, labels, AggregationStrategy.Simple, ["LOC", "O"]));
        AssertEntities([new("PER", 0.8f, 0, 9), new("LOC", 0.8f, 10, 15)],
            EntityGrouping.Group(tokens, labels, AggregationStrategy.Simple, []));
    }

    [Fact]
    public void AGroupsLabelIsWhatFollowsTheFirstHyphenSoHyphenatedTypesStayWhole()
    {
        string[] labels = ["O", "B-creative-work", "I-creative-work", "B-tax-rate"];
        TokenScores[] tokens =
        [
            new([0.1f, 0.8f, 0.1f, 0.0f], 0, 4, false),   // Dune: B-creative-work
            new([0.1f, 0.1f, 0.8f, 0.0f], 5, 12, false),  // Messiah: I-creative-work
            new([0.1f, 0.0f, 0.0f, 0.9f], 13, 16, false), // VAT: B-tax-rate
        ];

        AssertEntities([new("creative-work", 0.8f, 0, 12), new("tax-rate", 0.9f, 13, 16)],
            EntityGrouping.Group(tokens, labels, AggregationStrategy.Simple, IgnoreO));
        AssertEntities([new("creative-work", 0.8f, 0, 12)], EntityGrouping.Group(tokens, labels, AggregationStrategy.Simple, ["O", "tax-rate"]));
    }

    private static void AssertEntities(Entity[] expected, List<Entity> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal((expected[i].Label, expected[i].Start, expected[i].End), (actual[i].Label, actual[i].Start, actual[i].End));
            Assert.Equal(expected[i].Score, actual[i].Score, 5);
        }
    }
}
