import Foundation
import Testing
@testable import ObjectStore

/// AWS's published examples: the "get-vanilla" cases of the Signature Version 4 test suite, and
/// the S3 API reference's examples (GET object, PUT object, list objects) for
/// "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk".
@Suite struct SigV4SignerTests {
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func authorization(_ headers: [(name: String, value: String)]) -> String? {
        headers.first { $0.name == "authorization" }?.value
    }

    func signature(_ headers: [(name: String, value: String)]) -> String? {
        authorization(headers)?.components(separatedBy: "Signature=").last
    }

    // MARK: - The SigV4 test suite (service "service", us-east-1, 2015-08-30T12:36:00Z)

    let suiteSigner = SigV4Signer(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        region: "us-east-1", service: "service"
    )

    @Test func getVanilla() {
        let request = SigV4Signer.Request(
            method: "GET", path: "/", headers: [(name: "Host", value: "example.amazonaws.com")], payloadHash: Self.emptyHash
        )
        let headers = suiteSigner.sign(request, at: date("2015-08-30T12:36:00Z"))
        #expect(headers.first { $0.name == "x-amz-date" }?.value == "20150830T123600Z")
        #expect(
            authorization(headers) == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func getVanillaQueryOrderKeyCase() {
        let request = SigV4Signer.Request(
            method: "GET", path: "/", query: [(name: "Param2", value: "value2"), (name: "Param1", value: "value1")],
            headers: [(name: "Host", value: "example.amazonaws.com")], payloadHash: Self.emptyHash
        )
        let headers = suiteSigner.sign(request, at: date("2015-08-30T12:36:00Z"))
        #expect(signature(headers) == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    // MARK: - The S3 examples (examplebucket, us-east-1, 2013-05-24T00:00:00Z)

    let s3Signer = SigV4Signer(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1", service: "s3"
    )
    let s3Host = (name: "host", value: "examplebucket.s3.amazonaws.com")

    @Test func s3GetObject() {
        let request = SigV4Signer.Request(
            method: "GET", path: "/test.txt",
            headers: [s3Host, (name: "Range", value: "bytes=0-9"), (name: "x-amz-content-sha256", value: Self.emptyHash)],
            payloadHash: Self.emptyHash
        )
        var dated = request
        dated.headers.append((name: "x-amz-date", value: "20130524T000000Z"))
        #expect(
            s3Signer.canonicalRequest(dated).request == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            Hex.sha256(Data(s3Signer.canonicalRequest(dated).request.utf8))
                == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")

        let headers = s3Signer.sign(request, at: date("2013-05-24T00:00:00Z"))
        #expect(
            authorization(headers) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func s3PutObject() {
        let payload = Data("Welcome to Amazon S3.".utf8)
        let payloadHash = Hex.sha256(payload)
        #expect(payloadHash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let request = SigV4Signer.Request(
            method: "PUT", path: "/test$file.text",
            headers: [
                s3Host, (name: "Date", value: "Fri, 24 May 2013 00:00:00 GMT"),
                (name: "x-amz-storage-class", value: "REDUCED_REDUNDANCY"), (name: "x-amz-content-sha256", value: payloadHash),
            ],
            payloadHash: payloadHash
        )
        #expect(s3Signer.canonicalRequest(request).request.hasPrefix("PUT\n/test%24file.text\n\n"))
        let headers = s3Signer.sign(request, at: date("2013-05-24T00:00:00Z"))
        #expect(authorization(headers)?.contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,") == true)
        #expect(signature(headers) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func s3ListObjects() {
        let request = SigV4Signer.Request(
            method: "GET", path: "/", query: [(name: "prefix", value: "J"), (name: "max-keys", value: "2")],
            headers: [s3Host, (name: "x-amz-content-sha256", value: Self.emptyHash)], payloadHash: Self.emptyHash
        )
        let headers = s3Signer.sign(request, at: date("2013-05-24T00:00:00Z"))
        #expect(signature(headers) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func aDifferentPayloadIsADifferentSignature() {
        func signed(_ body: String) -> String? {
            let hash = Hex.sha256(Data(body.utf8))
            let request = SigV4Signer.Request(
                method: "PUT", path: "/a", headers: [s3Host, (name: "x-amz-content-sha256", value: hash)], payloadHash: hash
            )
            return signature(s3Signer.sign(request, at: date("2013-05-24T00:00:00Z")))
        }
        #expect(signed("one") != signed("two"))
    }

    @Test(arguments: [
        ("a b", false, "a%20b"), ("a+b", false, "a%2Bb"), ("100%", false, "100%25"), ("~-._", false, "~-._"),
        ("a/b", true, "a/b"), ("a/b", false, "a%2Fb"), ("é", true, "%C3%A9"), ("$", true, "%24"),
    ])
    func uriEncoding(_ text: String, _ keepSlash: Bool, _ expected: String) {
        #expect(SigV4Signer.uriEncode(text, keepSlash: keepSlash) == expected)
    }

    @Test func headerValuesAreTrimmedAndSpacesCollapsed() {
        let request = SigV4Signer.Request(
            method: "GET", path: "/", headers: [s3Host, (name: "X-Custom", value: "  a   b  c ")], payloadHash: Self.emptyHash
        )
        #expect(s3Signer.canonicalRequest(request).request.contains("\nx-custom:a b c\n"))
    }
}
