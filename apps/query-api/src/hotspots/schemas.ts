import { Type } from 'typebox';

/** A hotspot in list responses. */
export const HotspotListItem = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  label: Type.Union([Type.String(), Type.Null()]),
  lat: Type.Number(),
  lng: Type.Number(),
  score: Type.Number(),
  photoCount: Type.Integer(),
  userCount: Type.Integer(),
  tags: Type.Array(Type.String()),
});

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Unknown(),
  }),
});
