// orval settings for the generated-client check in `make test`.
module.exports = {
  api: {
    input: "../../openapi/openapi.json",
    output: { target: "../../target/clients/orval/api.ts", client: "fetch" },
  },
};
