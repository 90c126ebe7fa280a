using Microsoft.AspNetCore.Http.HttpResults;

namespace DiSRouter.Agents.Apis;

/// <summary>RFC 9457 problem responses with the reason in <c>detail</c>.</summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult BadGateway(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status502BadGateway, title: "Model unavailable");

    public static ProblemHttpResult LoopDetected(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status508LoopDetected, title: "Loop detected");
}
