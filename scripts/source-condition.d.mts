export const SOURCE_CONDITION: '@faultline/source';
export const SOURCE_NODE_ARGS: string[];
export function viteSourceResolve(): { resolve: { conditions: string[] } };
export function vitestSourceResolve(): { ssr: { resolve: { conditions: string[] } } };
