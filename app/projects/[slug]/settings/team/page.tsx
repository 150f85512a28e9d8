import type { Metadata } from 'next';
import { AddMemberButton } from '@/components/team/add-member';
import { MemberRowActions } from '@/components/team/member-row-actions';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { getDb } from '@/db/client';
import { requireProjectPage } from '@/lib/auth/session';
import { listMembers } from '@/lib/team/team';

export const metadata: Metadata = { title: 'Team' };

const day = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' });

export default async function TeamPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { user, membership } = await requireProjectPage(slug, `/projects/${slug}/settings/team`);
  const { members, canManage } = await listMembers(getDb(), { type: 'user', userId: user.id, projectSlug: slug });
  const admins = members.filter((member) => member.role === 'admin').length;

  return (
    <section aria-labelledby="team-heading" className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 id="team-heading" className="text-2xl font-semibold">
            Team
          </h1>
          <p className="mt-1 text-sm text-zinc-600">
            Who can open {membership.name}. Administrators manage keys, webhooks and the team; members can look.
          </p>
        </div>
        {canManage ? <AddMemberButton slug={slug} /> : null}
      </div>
      {canManage ? null : <Alert tone="info">Only administrators can manage the team.</Alert>}
      <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Members of {membership.name}</caption>
          <thead className="border-b border-zinc-200 bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">Email</th>
              <th scope="col" className="px-4 py-2 font-medium">Name</th>
              <th scope="col" className="px-4 py-2 font-medium">Role</th>
              <th scope="col" className="px-4 py-2 font-medium">Joined</th>
              {canManage ? (
                <th scope="col" className="px-4 py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.userId} className="border-b border-zinc-100 last:border-b-0">
                <td className="px-4 py-2">
                  {member.email}
                  {member.userId === user.id ? <span className="ml-2 text-xs text-zinc-500">(you)</span> : null}
                  {member.passwordSet ? null : (
                    <Badge className="ml-2" title="This user has not set a password yet">
                      Invited
                    </Badge>
                  )}
                </td>
                <td className="px-4 py-2 text-zinc-700">{member.name}</td>
                <td className="px-4 py-2">{member.role === 'admin' ? 'Admin' : 'Member'}</td>
                <td className="px-4 py-2 text-zinc-600">
                  <time dateTime={member.joinedAt}>{day.format(new Date(member.joinedAt))}</time>
                </td>
                {canManage ? (
                  <td className="px-4 py-2 text-right">
                    <MemberRowActions slug={slug} member={member} isSelf={member.userId === user.id} lastAdmin={member.role === 'admin' && admins === 1} />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
