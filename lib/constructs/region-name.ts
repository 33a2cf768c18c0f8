import type { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";

/**
 * The region's name from an `aws_region` data source, under either major of the bindings.
 * hashicorp/aws 6.x (bindings 21.x) deprecates `name` for `region` and warns on every plan that
 * reads it; 5.x (bindings 20.x) has no `region` attribute. The bindings in use decide, as they
 * also pin the provider's major in the synthesized `required_providers`.
 */
export function regionNameOf(region: DataAwsRegion): string {
  const attributes = region as unknown as { readonly region?: string; readonly name: string };
  return "region" in attributes ? (attributes.region as string) : attributes.name;
}
